"""Background tasks of consultations (django-tasks; the demo runs `kyoso db_worker`). Never run in a request."""

from __future__ import annotations

import logging

from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def recompute_map(consultation_id: int) -> str:
    from . import services
    from .models import Consultation

    try:
        return services.map_compute(consultation_id=consultation_id).map_status
    except Exception:
        logger.exception("Opinion map of consultation %s could not be computed", consultation_id)
        Consultation.objects.filter(pk=consultation_id).update(map_status=Consultation.MapStatus.FAILED)
        raise
