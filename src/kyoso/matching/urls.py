"""URLs of seeds–needs matching: public researcher profiles and the venue-internal matching pages."""

from django.urls import path

from . import views

app_name = "matching"

urlpatterns = [
    path("researchers/", views.researcher_list, name="researcher_list"),
    path("researchers/<int:pk>/", views.researcher_detail, name="researcher_detail"),
    path("venues/<slug:slug>/matching/", views.match, name="match"),
    path("venues/<slug:slug>/matching/shortlists/", views.shortlist_list, name="shortlist_list"),
    path("venues/<slug:slug>/matching/shortlists/new/", views.shortlist_create, name="shortlist_create"),
    path("venues/<slug:slug>/matching/shortlists/add/", views.entry_add, name="entry_add"),
    path("venues/<slug:slug>/matching/shortlists/<int:pk>/", views.shortlist_detail, name="shortlist_detail"),
    path("venues/<slug:slug>/matching/shortlists/<int:pk>/notes/", views.entry_note, name="entry_note"),
    path("venues/<slug:slug>/matching/shortlists/<int:pk>/contacts/new/", views.contact_create,
         name="contact_create"),
    path("venues/<slug:slug>/matching/shortlists/<int:pk>/proposals/new/", views.proposal_create,
         name="proposal_create"),
    path("venues/<slug:slug>/matching/proposals/<int:pk>/decide/", views.proposal_decide, name="proposal_decide"),
]
