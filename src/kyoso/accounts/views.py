from django.contrib.auth import views as auth_views


class LoginView(auth_views.LoginView):
    """Django's login view: it rotates the session key on login (session fixation protection);
    django-axes locks a username+address out after repeated failures."""

    redirect_authenticated_user = True
