"""The venue's consultation pages (mounted at ``venues/<slug:slug>/consultations/``)."""

from django.urls import path

from . import views

app_name = "consultations"

urlpatterns = [
    path("", views.manage_list, name="manage_list"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.manage, name="manage"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/status/", views.set_status, name="set_status"),
    path("<int:pk>/seed/", views.seed, name="seed"),
    path("<int:pk>/map/recompute/", views.map_recompute, name="map_recompute"),
    path("<int:pk>/map/publish/", views.map_publish, name="map_publish"),
    path("<int:pk>/agenda/", views.agenda, name="agenda"),
    path("<int:pk>/reply/", views.reply, name="reply"),
    path("<int:pk>/moderation/", views.moderation, name="moderation"),
    path("<int:pk>/moderation/log.csv", views.moderation_log_csv, name="moderation_log_csv"),
]
