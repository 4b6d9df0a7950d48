from django.urls import path

from analytics import apis

urlpatterns = [
    path("top-routes/", apis.TopRoutesApi.as_view(), name="analytics-top-routes"),
    path("search-stats/", apis.SearchStatsApi.as_view(), name="analytics-search-stats"),
    path("bookings/", apis.BookingFiguresApi.as_view(), name="analytics-bookings"),
]
