"""When the venue finalises a decision that came from a review, apply the recommended change to the project."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from kyoso.venues.signals import decision_finalised

from .models import Review


@receiver(decision_finalised)
def apply_reviewed_decision(sender: Any, decision: Any, actor: Any = None, **kwargs: Any) -> None:
    review = Review.objects.filter(decision=decision).select_related("project").first()
    if review is None:
        return
    from .services import review_apply

    review_apply(actor=actor, review=review, decision=decision)
