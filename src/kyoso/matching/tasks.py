"""Background tasks of the matching area (django-tasks; the demo runs `kyoso db_worker`)."""

from __future__ import annotations

import logging

from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def run_import(batch_id: int) -> str:
    """Import one uploaded file of researcher profiles (then queue the index update)."""
    from . import services
    from .models import ResearcherImport

    batch = ResearcherImport.objects.get(pk=batch_id)
    try:
        return services.import_run(batch).status
    except Exception:
        logger.exception("Researcher import %s failed", batch_id)
        ResearcherImport.objects.filter(pk=batch_id).update(status=ResearcherImport.Status.FAILED)
        raise


@task()
def update_index(researcher_ids: list[int]) -> int:
    """Upsert (or remove) these researchers in the persisted index; returns the index size."""
    from . import services

    version, size = services.index_update(researcher_ids)
    logger.info("Matching index %s: %s researchers after updating %s", version, size, len(researcher_ids))
    return size


@task()
def rebuild_index() -> int:
    from . import services

    version, size = services.index_rebuild()
    logger.info("Matching index %s rebuilt: %s researchers", version, size)
    return size
