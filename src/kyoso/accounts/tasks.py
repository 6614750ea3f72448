"""Background work of the accounts area: e-mail is sent by the task worker, never inside a request."""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django_tasks import task


@task()
def send_email(subject: str, body: str, from_email: str | None, to: list[str], html_body: str | None = None) -> None:
    message = EmailMultiAlternatives(subject, body, from_email, to)
    if html_body:
        message.attach_alternative(html_body, "text/html")
    message.send()
