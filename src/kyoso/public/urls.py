"""The public site of a venue, mounted at ``v/<slug:slug>/`` (see ``manifest.py``)."""

from django.urls import path, re_path

from . import views
from .opendata import TABLES

app_name = "public"

urlpatterns = [
    path("", views.site, name="site"),
    path("kpis/<int:kpi>/", views.kpi_detail, name="kpi_detail"),
    path("projects/", views.project_list, name="project_list"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("decisions/", views.decision_list, name="decision_list"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision_detail"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("data/", views.open_data, name="open_data"),
    *(re_path(rf"^data/{key}\.(?P<format>csv|json|schema\.json)$", views.DATA_VIEWS[key], name=f"data_{key}")
      for key in TABLES),
    path("easy/", views.easy_list, name="easy_list"),
    path("easy/edit/", views.easy_edit, name="easy_edit"),
    path("easy/check/", views.easy_check, name="easy_check"),
]
