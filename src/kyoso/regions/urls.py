from django.urls import path

from . import views

app_name = "regions"

urlpatterns = [
    path("organizations/", views.organization_list, name="organization_list"),
    path("organizations/new/", views.organization_create, name="organization_create"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization_detail"),
    path("organizations/<int:pk>/edit/", views.organization_update, name="organization_update"),
    path("organizations/municipality-options/", views.municipality_options, name="municipality_options"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/affiliations/new/", views.affiliation_create, name="affiliation_create"),
    path("regions/", views.region_list, name="region_list"),
    path("regions/<str:code>/", views.region_detail, name="region_detail"),
    path("about/data/", views.about_data, name="about_data"),
]
