"""Public consultation pages (mounted at ``v/<slug:slug>/consultations/``): no account needed."""

from django.urls import path

from . import public_views as views

app_name = "consultations_public"

urlpatterns = [
    path("", views.consultation_list, name="list"),
    path("<int:pk>/", views.consultation_detail, name="detail"),
    path("<int:pk>/vote/", views.vote, name="vote"),
    path("<int:pk>/statements/", views.statement_add, name="statement_add"),
    path("<int:pk>/comments/", views.comment_add, name="comment_add"),
    path("<int:pk>/report/", views.report, name="report"),
    path("<int:pk>/email/", views.email_start, name="email_start"),
    path("<int:pk>/email/confirm/", views.email_confirm, name="email_confirm"),
    path("<int:pk>/map/", views.opinion_map, name="map"),
]
