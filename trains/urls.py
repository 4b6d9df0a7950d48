from django.urls import path

from trains import apis

urlpatterns = [
    path("", apis.TrainListApi.as_view(), name="train-list"),
    path("search/", apis.TrainSearchApi.as_view(), name="train-search"),
    path("<int:train_id>/", apis.TrainDetailApi.as_view(), name="train-detail"),
    path("<int:train_id>/seats/", apis.TrainSeatsApi.as_view(), name="train-seats"),
]
