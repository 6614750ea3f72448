from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from kyoso.common.access import AUTHENTICATED, PUBLIC, access

from . import views
from .forms import QueuedPasswordResetForm

app_name = "accounts"

urlpatterns = [
    path("login/", access(PUBLIC)(views.LoginView.as_view()), name="login"),
    path("logout/", access(PUBLIC)(auth_views.LogoutView.as_view()), name="logout"),
    path(
        "password/reset/",
        access(PUBLIC)(
            auth_views.PasswordResetView.as_view(
                success_url=reverse_lazy("accounts:password_reset_done"),
                email_template_name="registration/password_reset_email.html",
                subject_template_name="registration/password_reset_subject.txt",
                form_class=QueuedPasswordResetForm,
            )
        ),
        name="password_reset",
    ),
    path(
        "password/reset/done/",
        access(PUBLIC)(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        access(PUBLIC)(
            auth_views.PasswordResetConfirmView.as_view(success_url=reverse_lazy("accounts:password_reset_complete"))
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        access(PUBLIC)(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
    path(
        "password/change/",
        access(AUTHENTICATED)(
            auth_views.PasswordChangeView.as_view(success_url=reverse_lazy("accounts:password_change_done"))
        ),
        name="password_change",
    ),
    path(
        "password/change/done/",
        access(AUTHENTICATED)(auth_views.PasswordChangeDoneView.as_view()),
        name="password_change_done",
    ),
]
