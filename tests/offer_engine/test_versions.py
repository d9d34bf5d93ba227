from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError

from offer_engine import offers, versions
from offer_engine.db import session_scope
from offer_engine.errors import IllegalTransitionError, NothingChangedError, VersionImmutableError
from offer_engine.offers import OfferState
from offer_engine.versions import VersionReason
from tests import factories as f
from tests.offer_engine.conftest import snapshot


def test_versions_are_numbered_with_author_reason_and_diff(engine: Engine) -> None:
    with session_scope(engine) as session:
        offer = f.make_offer(session)
        v2 = versions.add_version(
            session,
            offer,
            f.make_terms(base_salary=Decimal("195000"), sign_on_bonus=Decimal("20000")),
            actor=f.recruiter("sam"),
            reason_kind=VersionReason.RECRUITER_EDIT,
            reason="matched competing offer",
        )
    with session_scope(engine) as session:
        listed = versions.list_versions(session, offer.id or 0)
        assert [v.number for v in listed] == [1, 2]
        assert listed[0].reason_kind == "initial_draft"
        assert listed[0].diff["base_salary"] == {"from": None, "to": "185000"}
        assert v2.diff == {
            "base_salary": {"from": "185000", "to": "195000"},
            "sign_on_bonus": {"from": "15000", "to": "20000"},
        }
        assert v2.created_by == "recruiter:sam"
        assert v2.reason == "matched competing offer"
        assert v2.offer_terms.base_salary == Decimal("195000")
        assert offers.get_offer(session, offer.id or 0).current_version_number == 2


def test_identical_terms_make_no_version(engine: Engine) -> None:
    with session_scope(engine) as session:
        offer = f.make_offer(session)
    before = snapshot(engine)
    with pytest.raises(NothingChangedError), session_scope(engine) as session:
        versions.add_version(
            session,
            offers.get_offer(session, offer.id or 0),
            f.current(session, offer).offer_terms,
            actor=f.recruiter(),
            reason_kind=VersionReason.RECRUITER_EDIT,
            reason="no-op",
        )
    assert snapshot(engine) == before


@pytest.mark.parametrize("state", [OfferState.SENT, OfferState.DRAFT])
def test_editing_a_stored_version_is_refused_and_changes_nothing(engine: Engine, state: OfferState) -> None:
    with session_scope(engine) as session:
        offer = f.make_offer(session, state=state)
    before = snapshot(engine)
    with pytest.raises(VersionImmutableError), session_scope(engine) as session:  # noqa: PT012 - the edit is the act
        version = f.current(session, offers.get_offer(session, offer.id or 0))
        version.terms = {**version.terms, "base_salary": "999999"}
        session.add(version)
        session.flush()
    assert snapshot(engine) == before


def test_the_database_refuses_to_update_or_delete_a_version(engine: Engine) -> None:
    with session_scope(engine) as session:
        f.make_offer(session, state=OfferState.SENT)
    before = snapshot(engine)
    for statement in ("UPDATE offer_versions SET reason = 'rewritten'", "DELETE FROM offer_versions"):
        with pytest.raises(DatabaseError, match="immutable"), engine.begin() as conn:
            conn.execute(text(statement))
    assert snapshot(engine) == before


def test_a_new_version_of_a_sent_offer_returns_it_to_draft(engine: Engine) -> None:
    with session_scope(engine) as session:
        offer = f.make_offer(session, state=OfferState.SENT)
        versions.add_version(
            session,
            offer,
            f.make_terms(pto_days=25),
            actor=f.recruiter(),
            reason_kind=VersionReason.COUNTER_OFFER,
            reason="counter-offer 1 accepted",
        )
        assert offer.state == "draft"
        assert offer.current_version_number == 2


@pytest.mark.parametrize("state", [OfferState.ACCEPTED, OfferState.DECLINED, OfferState.WITHDRAWN])
def test_a_closed_offer_gets_no_new_version(engine: Engine, state: OfferState) -> None:
    with session_scope(engine) as session:
        offer = f.make_offer(session, state=state)
    before = snapshot(engine)
    with pytest.raises(IllegalTransitionError), session_scope(engine) as session:
        versions.add_version(
            session,
            offers.get_offer(session, offer.id or 0),
            f.make_terms(pto_days=30),
            actor=f.recruiter(),
            reason_kind=VersionReason.RECRUITER_EDIT,
            reason="too late",
        )
    assert snapshot(engine) == before
