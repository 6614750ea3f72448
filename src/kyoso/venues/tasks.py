"""Background tasks of the venue area (django-tasks; the demo runs `kyoso db_worker`)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task


@task()
def process_endorsement_deadlines() -> dict[str, int]:
    """Evaluate proposals whose deadline has passed and remind representatives who have not responded.

    Enqueued daily by ``kyoso endorsement_deadlines`` (from cron or a systemd timer)."""
    from . import services

    return services.endorsement_deadlines_process(today=timezone.localdate())
