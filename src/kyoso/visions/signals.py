"""When the venue's per-sector endorsement of a vision version closes, update the version."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.utils import timezone

from kyoso.venues.signals import proposal_decided

from .models import VisionVersion


@receiver(proposal_decided)
def vision_version_decided(sender: Any, proposal: Any, outcome: str, **kwargs: Any) -> None:
    version = VisionVersion.objects.filter(proposal=proposal).select_related("vision").first()
    if version is None:
        return
    if outcome == "agreed":
        VisionVersion.objects.filter(vision=version.vision, status=VisionVersion.Status.AGREED).update(
            status=VisionVersion.Status.SUPERSEDED, updated_at=timezone.now())
        version.status = VisionVersion.Status.AGREED
        version.agreed_at = timezone.now()
    else:
        version.status = VisionVersion.Status.REJECTED
    version.save(update_fields=["status", "agreed_at", "updated_at"])
    if outcome == "agreed":
        from .services import version_agreement_record

        version_agreement_record(version=version)  # the agreement appears in the venue's decision log
