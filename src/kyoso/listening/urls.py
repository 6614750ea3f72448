"""The secretariat's pages, under ``venues/<slug>/listening/`` (see the manifest)."""

from django.urls import path

from . import views

app_name = "listening"

urlpatterns = [
    path("", views.upload_list, name="upload_list"),
    path("new/", views.upload_create, name="upload_create"),
    path("uploads/<int:pk>/", views.upload_detail, name="upload_detail"),
    path("uploads/<int:pk>/column/", views.upload_column, name="upload_column"),
    path("uploads/<int:pk>/answers/", views.upload_answers, name="upload_answers"),
    path("uploads/<int:pk>/publish/", views.upload_publish, name="upload_publish"),
    path("uploads/<int:pk>/agenda/", views.upload_agenda, name="upload_agenda"),
]
