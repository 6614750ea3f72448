from django.urls import path

from . import views

app_name = "fake_open"
urlpatterns = [path("", views.page, name="index")]
