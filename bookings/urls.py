from django.urls import path

from bookings import apis, chart_apis

urlpatterns = [
    path("bookings/", apis.BookingsApi.as_view(), name="bookings"),
    path("bookings/my/", apis.MyBookingsApi.as_view(), name="my-bookings"),
    path("bookings/<int:booking_id>/", apis.BookingDetailApi.as_view(), name="booking-detail"),
    path("bookings/<int:booking_id>/ticket.pdf", apis.BookingTicketPdfApi.as_view(), name="booking-ticket-pdf"),
    path("bookings/<int:booking_id>/cancel/", chart_apis.BookingCancelApi.as_view(), name="booking-cancel"),
    path("bookings/<int:booking_id>/refund/", chart_apis.RefundQuoteApi.as_view(), name="booking-refund"),
    path("holds/", apis.HoldsApi.as_view(), name="holds"),
    path("holds/<int:hold_id>/", apis.HoldDetailApi.as_view(), name="hold-detail"),
    path("holds/<int:hold_id>/confirm/", apis.HoldConfirmApi.as_view(), name="hold-confirm"),
    path("pnr/<str:pnr>/", apis.PnrStatusApi.as_view(), name="pnr-status"),
    path("runs/<int:train_id>/<str:run_date>/chart/", chart_apis.RunChartApi.as_view(), name="run-chart"),
]
