"""What mutation testing of offer_engine/access.py showed untested (scripts/mutation.sh, docs/mutation.md)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from offer_engine.access import (
    AccessDeniedError,
    check_generation,
    consume_one_time,
    current_generation,
    forget_expired_tokens,
    revoke,
    rotate,
)
from offer_engine.actors import Role, user_actor
from offer_engine.db import session_scope

RECRUITER = user_actor("alex", Role.RECRUITER)


def test_a_link_from_before_a_revocation_stays_refused_after_the_link_is_rotated_again(engine: Engine) -> None:
    with session_scope(engine) as session:
        before = rotate(session, 1, 3401, RECRUITER)
        revoke(session, 1, 3401, RECRUITER)
        after = rotate(session, 1, 3401, RECRUITER)
    assert after > before
    with session_scope(engine) as session:
        for old in range(after):
            with pytest.raises(AccessDeniedError, match="replaced"):
                check_generation(session, 1, 3401, old)
        check_generation(session, 1, 3401, after)


def test_a_used_one_time_token_is_remembered_until_strictly_past_its_expiry(engine: Engine) -> None:
    expires = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
    with session_scope(engine) as session:
        consume_one_time(session, "jti-edge", 3401, expires)
    with session_scope(engine) as session:
        assert forget_expired_tokens(session, now=expires) == 0
    with session_scope(engine) as session:
        assert forget_expired_tokens(session, now=expires + timedelta(microseconds=1)) == 1
    with session_scope(engine) as session:
        consume_one_time(session, "jti-edge", 3401, expires)  # forgotten: past its expiry the link is refused anyway


@pytest.mark.parametrize(("acting", "other"), [(1, 2), (2, 1)])
def test_rotating_or_revoking_one_customers_link_leaves_another_customers_same_workflow_alone(
    engine: Engine, acting: int, other: int
) -> None:
    with session_scope(engine) as session:
        rotate(session, acting, 3401, RECRUITER)
    with session_scope(engine) as session:
        check_generation(session, other, 3401, 0)
        revoke(session, acting, 3401, RECRUITER)
    with session_scope(engine) as session:
        check_generation(session, other, 3401, 0)
        with pytest.raises(AccessDeniedError, match="revoked"):
            check_generation(session, acting, 3401, 0)


def test_a_link_of_a_large_generation_opens(engine: Engine) -> None:
    with session_scope(engine) as session:
        current_generation(session, 1, 3401)
        session.execute(text("UPDATE candidate_access SET generation = 1000 WHERE workflow_id = 3401"))
    with session_scope(engine) as session:
        check_generation(session, 1, 3401, int("1000"))  # a fresh int, as decoded from a token
        with pytest.raises(AccessDeniedError, match="replaced"):
            check_generation(session, 1, 3401, 999)


@pytest.mark.parametrize(("acting", "other"), [(3401, 3402), (3402, 3401)])
def test_rotating_one_workflows_link_leaves_the_other_workflows_links_alone(
    engine: Engine, acting: int, other: int
) -> None:
    with session_scope(engine) as session:
        rotate(session, 1, acting, RECRUITER)
    with session_scope(engine) as session:
        check_generation(session, 1, other, 0)


def test_a_generation_the_workflow_never_reached_is_refused(engine: Engine) -> None:
    with session_scope(engine) as session:
        rotate(session, 1, 3401, RECRUITER)
    with session_scope(engine) as session, pytest.raises(AccessDeniedError, match="replaced"):
        check_generation(session, 1, 3401, 2)
