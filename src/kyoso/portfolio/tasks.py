"""Background tasks of the portfolio (django-tasks; the demo runs `kyoso db_worker`)."""

from __future__ import annotations

import logging

from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def build_portfolio_report(job_id: int) -> str:
    from . import export_views
    from .models import ReportJob

    try:
        return export_views.report_job_run(job_id).status
    except Exception:
        logger.exception("Portfolio report %s could not be built", job_id)
        ReportJob.objects.filter(pk=job_id).update(status=ReportJob.Status.FAILED)
        raise
