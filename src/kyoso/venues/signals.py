"""Signals other areas listen to (imports point one way: they import venues, never the reverse)."""

from django.dispatch import Signal

# Sent when a proposal's endorsement closes: kwargs proposal, outcome ("agreed" / "rejected").
proposal_decided = Signal()
