"""What the review mode's buttons carry: validated on every click (a stale or crafted payload is refused)."""

from __future__ import annotations

from pydantic import BaseModel

from app.review.service import CounterMode, RequestOutcome


class Empty(BaseModel):
    pass


class OfferRef(BaseModel):
    offer_id: int


class ItemRef(BaseModel):
    kind: str
    ref_id: int


class CounterChoice(BaseModel):
    counter_id: int
    mode: CounterMode


class StepChoice(BaseModel):
    step_id: int
    approve: bool


class RequestChoice(BaseModel):
    request_id: int
    outcome: RequestOutcome


class ReplyChoice(BaseModel):
    offer_id: int
    use_suggestion: bool = False
