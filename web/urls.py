from django.urls import path, register_converter

from web import account_pages, booking_pages, chart_pages, dashboard_pages, journey_pages


class IsoDateConverter:
    """`YYYY-MM-DD` in a path; whether the date is bookable is the serializer's call, not the URL's."""

    regex = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return value.isoformat() if hasattr(value, "isoformat") else str(value)


register_converter(IsoDateConverter, "isodate")

app_name = "web"
urlpatterns = [
    path("", journey_pages.home, name="home"),
    path("stations/", journey_pages.station_suggestions, name="stations"),
    path("search/", journey_pages.search, name="search"),
    path("trains/<int:train_id>/", journey_pages.timetable, name="timetable"),
    path("trains/<int:train_id>/<isodate:travel_date>/seats/", journey_pages.seat_map, name="seat_map"),
    path("trains/<int:train_id>/<isodate:travel_date>/passengers/", journey_pages.passengers, name="passengers"),
    path("trains/<int:train_id>/<isodate:travel_date>/seating/", journey_pages.seating, name="seating"),
    path("trains/<int:train_id>/<isodate:travel_date>/waitlist/", journey_pages.join_waitlist, name="waitlist"),
    path("holds/<int:hold_id>/", journey_pages.hold, name="hold"),
    path("holds/<int:hold_id>/confirm/", journey_pages.confirm_hold, name="confirm_hold"),
    path("holds/<int:hold_id>/release/", journey_pages.release_hold, name="release_hold"),
    path("bookings/", booking_pages.my_bookings, name="my_bookings"),
    path("bookings/<int:booking_id>/", booking_pages.ticket, name="ticket"),
    path("bookings/<int:booking_id>/ticket.pdf", booking_pages.ticket_pdf, name="ticket_pdf"),
    path("bookings/<int:booking_id>/cancel/", booking_pages.cancel, name="cancel"),
    path("pnr/", booking_pages.pnr_status, name="pnr_status"),
    path("signin/", account_pages.sign_in, name="sign_in"),
    path("register/", account_pages.register, name="register"),
    path("signout/", account_pages.sign_out, name="sign_out"),
    path("dashboard/", dashboard_pages.dashboard, name="dashboard"),
    path("dashboard/search-logs/", dashboard_pages.search_logs, name="search_logs"),
    path("dashboard/runs/<int:train_id>/<isodate:run_date>/chart/", chart_pages.run_chart, name="run_chart"),
]
