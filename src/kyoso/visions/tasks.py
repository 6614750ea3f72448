"""Background tasks of the vision area (django-tasks; the demo runs `kyoso db_worker`)."""

from __future__ import annotations

import logging

from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def check_import(batch_id: int) -> str:
    from . import services
    from .models import ImportBatch

    batch = ImportBatch.objects.select_related("vision").get(pk=batch_id)
    try:
        return services.check_batch(batch).status
    except Exception:
        logger.exception("Import %s could not be checked", batch_id)
        ImportBatch.objects.filter(pk=batch_id).update(status=ImportBatch.Status.FAILED)
        raise


@task()
def apply_import(batch_id: int) -> str:
    from . import services
    from .models import ImportBatch

    batch = ImportBatch.objects.select_related("vision").get(pk=batch_id)
    try:
        return services.apply_batch(batch).status
    except Exception:
        logger.exception("Import %s could not be applied", batch_id)
        ImportBatch.objects.filter(pk=batch_id).update(status=ImportBatch.Status.FAILED)
        raise
