from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
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
from offer_engine.actors import Role, candidate_actor, user_actor
from offer_engine.audit import verify_chain
from offer_engine.db import session_scope
from offer_engine.errors import PermissionDeniedError

RECRUITER = user_actor("alex", Role.RECRUITER)


def test_rotation_invalidates_older_generations(engine: Engine) -> None:
    with session_scope(engine) as session:
        assert current_generation(session, 1, 3401) == 0
        check_generation(session, 1, 3401, 0)
        assert rotate(session, 1, 3401, RECRUITER) == 1
    with session_scope(engine) as session:
        with pytest.raises(AccessDeniedError, match="replaced"):
            check_generation(session, 1, 3401, 0)
        check_generation(session, 1, 3401, 1)
        assert verify_chain(session).ok


def test_revocation_blocks_every_link_until_rotated(engine: Engine) -> None:
    with session_scope(engine) as session:
        revoke(session, 1, 3402, RECRUITER)
    with session_scope(engine) as session:
        with pytest.raises(AccessDeniedError, match="revoked"):
            current_generation(session, 1, 3402)
        new_generation = rotate(session, 1, 3402, RECRUITER)
    with session_scope(engine) as session:
        check_generation(session, 1, 3402, new_generation)


def test_workflows_are_independent(engine: Engine) -> None:
    with session_scope(engine) as session:
        rotate(session, 1, 3401, RECRUITER)
        check_generation(session, 1, 3402, 0)
        check_generation(session, 2, 3401, 0)


def test_candidates_cannot_rotate_or_revoke(engine: Engine) -> None:
    with session_scope(engine) as session:
        with pytest.raises(PermissionDeniedError):
            rotate(session, 1, 3401, candidate_actor(1201))
        with pytest.raises(PermissionDeniedError):
            revoke(session, 1, 3401, candidate_actor(1201))


def test_one_time_link_opens_once(engine: Engine) -> None:
    expires = datetime.now(UTC) + timedelta(hours=1)
    with session_scope(engine) as session:
        consume_one_time(session, "jti-1", 3401, expires)
    with session_scope(engine) as session:
        with pytest.raises(AccessDeniedError, match="already been used"):
            consume_one_time(session, "jti-1", 3401, expires)
        consume_one_time(session, "jti-2", 3401, expires)


def test_expired_one_time_records_are_forgotten(engine: Engine) -> None:
    with session_scope(engine) as session:
        consume_one_time(session, "old", 3401, datetime.now(UTC) - timedelta(minutes=1))
        consume_one_time(session, "new", 3401, datetime.now(UTC) + timedelta(minutes=10))
    with session_scope(engine) as session:
        assert forget_expired_tokens(session) == 1
