from django.urls import path

from . import views

app_name = "fake"
urlpatterns = [path("", views.page, name="home"), path("settings/", views.page, name="settings")]
