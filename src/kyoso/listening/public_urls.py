"""The public result pages, under ``v/<slug>/listening/`` (see the manifest): published results only."""

from django.urls import path

from . import views

app_name = "listening_public"

urlpatterns = [
    path("", views.result_list, name="result_list"),
    path("<int:pk>/", views.result_detail, name="result_detail"),
]
