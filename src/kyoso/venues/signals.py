"""Signals other areas listen to (imports point one way: they import venues, never the reverse)."""

from django.dispatch import Signal

# Sent when a proposal's endorsement closes: kwargs proposal, outcome ("agreed" / "rejected").
proposal_decided = Signal()

# Sent inside the transaction that finalises a decision: kwargs decision, actor. Receivers that apply the
# decision elsewhere (e.g. a project change recommended by a review) write in the same transaction.
decision_finalised = Signal()
