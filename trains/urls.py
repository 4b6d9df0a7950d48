from django.urls import path

from trains import apis

urlpatterns = [
    path("", apis.TrainListApi.as_view(), name="train-list"),
    path("<int:train_id>/", apis.TrainDetailApi.as_view(), name="train-detail"),
]
