from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts import apis as account_apis
from bookings import apis as booking_apis
from irctc import health
from trains import apis as train_apis

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/auth/", include("accounts.urls")),
    # Aliases kept for clients written against the first version of the API.
    path("api/register/", account_apis.RegisterApi.as_view(), name="register-alias"),
    path("api/login/", account_apis.LoginApi.as_view(), name="login-alias"),
    # Search and the seat map read the inventory, so the bookings app answers them.
    path("api/trains/search/", booking_apis.TrainSearchApi.as_view(), name="train-search"),
    path("api/trains/<int:train_id>/seats/", booking_apis.TrainSeatsApi.as_view(), name="train-seats"),
    path("api/trains/", include("trains.urls")),
    path("api/stations/", train_apis.StationsApi.as_view(), name="stations"),
    path("api/", include("bookings.urls")),
    path("api/analytics/", include("analytics.urls")),
    path("api/health/", health.HealthApi.as_view(), name="health"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
]

handler400 = "irctc.errors.handler400"
handler403 = "irctc.errors.handler403"
handler404 = "irctc.errors.handler404"
handler500 = "irctc.errors.handler500"
