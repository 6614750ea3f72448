"""Background tasks of the listening area (django-tasks; the demo runs `kyoso db_worker`)."""

from __future__ import annotations

from django_tasks import task


@task()
def cluster_upload(upload_id: int) -> str:
    """Embed, cluster and label an upload's answers (``services.run_clustering``); never run in a request."""
    from . import services

    return services.run_clustering(upload_id).status
