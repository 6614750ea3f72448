from __future__ import annotations

from typing import Any

from django.contrib.auth.forms import PasswordResetForm
from django.template import loader

from .tasks import send_email


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's password-reset form, with the e-mail handed to the task queue."""

    def send_mail(self, subject_template_name: str, email_template_name: str, context: dict[str, Any],
                  from_email: str | None, to_email: str, html_email_template_name: str | None = None) -> None:
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        html = loader.render_to_string(html_email_template_name, context) if html_email_template_name else None
        send_email.enqueue(subject=subject, body=body, from_email=from_email, to=[to_email], html_body=html)
