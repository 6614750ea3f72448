from django.urls import path

from . import views

app_name = "visions"

urlpatterns = [
    path("", views.vision_list, name="vision_list"),
    path("new/", views.vision_create, name="vision_create"),
    path("<int:pk>/", views.vision_detail, name="vision_detail"),
    path("<int:pk>/edit/", views.vision_update, name="vision_update"),
    path("<int:pk>/goals/new/", views.goal_create, name="goal_create"),
    path("<int:pk>/kpis/new/", views.kpi_create, name="kpi_create"),
    path("<int:pk>/kpis/<int:kpi>/", views.kpi_detail, name="kpi_detail"),
    path("<int:pk>/kpis/<int:kpi>/edit/", views.kpi_update, name="kpi_update"),
    path("<int:pk>/kpis/<int:kpi>/observations/", views.kpi_observe, name="kpi_observe"),
    path("<int:pk>/kpis/<int:kpi>/reference/", views.kpi_reference, name="kpi_reference"),
    path("<int:pk>/imports/new/", views.import_create, name="import_create"),
    path("<int:pk>/imports/<int:batch>/", views.import_detail, name="import_detail"),
    path("<int:pk>/imports/<int:batch>/apply/", views.import_apply, name="import_apply"),
    path("<int:pk>/versions/", views.version_list, name="version_list"),
    path("<int:pk>/versions/save/", views.version_save, name="version_save"),
    path("<int:pk>/versions/diff/", views.version_diff, name="version_diff"),
    path("<int:pk>/versions/<int:number>/", views.version_detail, name="version_detail"),
    path("<int:pk>/versions/<int:number>/propose/", views.version_propose, name="version_propose"),
    path("<int:pk>/versions/<int:number>/endorse/", views.version_endorse, name="version_endorse"),
    path("<int:pk>/milestones/new/", views.milestone_create, name="milestone_create"),
    path("<int:pk>/milestones/<int:milestone>/edit/", views.milestone_update, name="milestone_update"),
    path("<int:pk>/issues/new/", views.issue_create, name="issue_create"),
    path("<int:pk>/themes/new/", views.theme_create, name="theme_create"),
    path("<int:pk>/backcasting/", views.tree, name="tree"),
    path("<int:pk>/backcasting/graph/", views.graph, name="graph"),
    path("<int:pk>/export.xlsx", views.export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("<int:pk>/export.json", views.export, {"fmt": "json"}, name="export_json"),
]
