from django.urls import path

from bookings import apis

urlpatterns = [
    path("bookings/", apis.BookingsApi.as_view(), name="bookings"),
    path("bookings/my/", apis.MyBookingsApi.as_view(), name="my-bookings"),
    path("bookings/<int:booking_id>/", apis.BookingDetailApi.as_view(), name="booking-detail"),
    path("bookings/<int:booking_id>/ticket.pdf", apis.BookingTicketPdfApi.as_view(), name="booking-ticket-pdf"),
    path("bookings/<int:booking_id>/cancel/", apis.BookingCancelApi.as_view(), name="booking-cancel"),
    path("holds/", apis.HoldsApi.as_view(), name="holds"),
    path("holds/<int:hold_id>/", apis.HoldDetailApi.as_view(), name="hold-detail"),
    path("holds/<int:hold_id>/confirm/", apis.HoldConfirmApi.as_view(), name="hold-confirm"),
    path("pnr/<str:pnr>/", apis.PnrStatusApi.as_view(), name="pnr-status"),
]
