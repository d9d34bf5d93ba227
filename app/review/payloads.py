"""What the review mode's buttons carry: validated on every click (a stale or crafted payload is refused).

Ids are bounded to what the database holds (BIGINT): a crafted 31-digit id is a refused payload, not an
OverflowError on its way to SQLite."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from app.review.service import CounterMode, RequestOutcome
from offer_engine.notifications import Preference

Id = Annotated[int, Field(strict=False, ge=0, lt=2**63)]


class Empty(BaseModel):
    pass


class OfferRef(BaseModel):
    offer_id: Id


class ItemRef(BaseModel):
    kind: Annotated[str, Field(max_length=64)]
    ref_id: Id


class CounterChoice(BaseModel):
    counter_id: Id
    mode: CounterMode


class StepChoice(BaseModel):
    step_id: Id
    approve: bool


class RequestChoice(BaseModel):
    request_id: Id
    outcome: RequestOutcome


class ReplyChoice(BaseModel):
    offer_id: Id
    use_suggestion: bool = False


class PreferenceChoice(BaseModel):
    mode: Preference
