from django.urls import path

from . import views

app_name = "venues"

urlpatterns = [
    path("", views.venue_list, name="venue_list"),
    path("new/", views.venue_create, name="venue_create"),
    path("my-actions/", views.my_actions, name="my_actions"),
    path("<slug:slug>/", views.venue_detail, name="venue_detail"),
    path("<slug:slug>/edit/", views.venue_update, name="venue_update"),
    path("<slug:slug>/members/", views.member_list, name="member_list"),
    path("<slug:slug>/members/new/", views.member_add, name="member_add"),
    path("<slug:slug>/members/<int:pk>/representatives/new/", views.representative_add, name="representative_add"),
    path("<slug:slug>/meetings/", views.meeting_list, name="meeting_list"),
    path("<slug:slug>/meetings/new/", views.meeting_create, name="meeting_create"),
    path("<slug:slug>/meetings.ics", views.meeting_calendar, name="meeting_calendar"),
    path("<slug:slug>/meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("<slug:slug>/meetings/<int:pk>/edit/", views.meeting_update, name="meeting_update"),
    path("<slug:slug>/meetings/<int:pk>/agenda/", views.agenda_item_add, name="agenda_item_add"),
    path("<slug:slug>/meetings/<int:pk>/attendance/", views.attendance_edit, name="attendance_edit"),
    path("<slug:slug>/meetings/<int:pk>/minutes/", views.minutes_edit, name="minutes_edit"),
    path("<slug:slug>/meetings/<int:pk>/minutes/finalise/", views.minutes_finalise, name="minutes_finalise"),
    path("<slug:slug>/meetings/<int:pk>/documents/", views.document_add, name="document_add"),
    path("<slug:slug>/documents/<int:pk>/", views.document_download, name="document_download"),
    path("<slug:slug>/decisions/", views.decision_list, name="decision_list"),
    path("<slug:slug>/decisions/export.csv", views.decision_export, {"fmt": "csv"}, name="decision_export_csv"),
    path("<slug:slug>/decisions/export.xlsx", views.decision_export, {"fmt": "xlsx"}, name="decision_export_xlsx"),
    path("<slug:slug>/decisions/new/", views.decision_create, name="decision_create"),
    path("<slug:slug>/decisions/<int:pk>/", views.decision_detail, name="decision_detail"),
    path("<slug:slug>/decisions/<int:pk>/edit/", views.decision_update, name="decision_update"),
    path("<slug:slug>/decisions/<int:pk>/propose/", views.decision_propose, name="decision_propose"),
    path("<slug:slug>/decisions/<int:pk>/endorse/", views.decision_endorse, name="decision_endorse"),
    path("<slug:slug>/decisions/<int:pk>/finalise/", views.decision_finalise, name="decision_finalise"),
    path("<slug:slug>/decisions/<int:pk>/actions/new/", views.action_create, name="action_create"),
    path("<slug:slug>/actions/", views.action_list, name="action_list"),
    path("<slug:slug>/actions/<int:pk>/", views.action_detail, name="action_detail"),
]
