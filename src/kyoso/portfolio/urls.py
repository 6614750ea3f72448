from django.urls import path

from . import export_views, views

app_name = "portfolio"

urlpatterns = [
    path("", views.portfolio, name="portfolio"),
    path("matrix/", views.portfolio_matrix, name="matrix"),
    path("chart/", views.portfolio_chart, name="chart"),
    path("resources/", views.portfolio_resources, name="resources"),
    path("settings/", views.portfolio_settings, name="settings"),
    path("new/", views.project_create, name="project_create"),
    path("<int:pk>/", views.project_detail, name="project_detail"),
    path("<int:pk>/edit/", views.project_update, name="project_update"),
    path("<int:pk>/participants/add/", views.participant_add, name="participant_add"),
    path("<int:pk>/commitments/add/", views.commitment_add, name="commitment_add"),
    path("<int:pk>/commitments/<int:commitment>/provide/", views.provision_add, name="provision_add"),
    path("<int:pk>/outputs/add/", views.output_add, name="output_add"),
    path("<int:pk>/reports/add/", views.report_add, name="report_add"),
    path("<int:pk>/milestones/add/", views.milestone_add, name="milestone_add"),
    path("<int:pk>/milestones/<int:item>/done/", views.milestone_done, name="milestone_done"),
    path("<int:pk>/reviews/add/", views.review_add, name="review_add"),
    # Reports for venue meetings and the national programme (export_views.py)
    path("export.xlsx", export_views.portfolio_export_xlsx, name="portfolio_export_xlsx"),
    path("export.pdf", export_views.portfolio_export_pdf, name="portfolio_export_pdf"),
    path("report-jobs/", export_views.report_job_create, name="report_job_create"),
    path("report-jobs/<int:pk>/", export_views.report_job_detail, name="report_job_detail"),
    path("report-jobs/<int:pk>/download/", export_views.report_job_download, name="report_job_download"),
    path("<int:pk>/export.xlsx", export_views.project_export_xlsx, name="project_export_xlsx"),
    path("<int:pk>/export.pdf", export_views.project_export_pdf, name="project_export_pdf"),
]
