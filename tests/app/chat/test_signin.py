"""Sign-in under concurrency (SQLite and PostgreSQL): many candidates at once, and one one-time link raced."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlsplit

from app.chat import provisioning
from app.chat.signin import SignInRefusedError, sign_in
from app.links import Audience
from offer_engine.audit import events_for
from offer_engine.db import session_scope
from tests.app.chat.conftest import Tenant

WORKFLOWS = (3401, 3402, 3403, 3404, 3405)


def _token(tenant: Tenant, workflow_id: int, *, one_time: bool = False) -> str:
    tenant.offer(workflow_id)
    ref = provisioning.find_offer(tenant.engine, tenant.settings, workflow_id)
    assert ref is not None
    url = provisioning.candidate_link(tenant.settings, tenant.engine, ref, one_time=one_time)
    return parse_qs(urlsplit(url).query)["token"][0]


def _attempt(tenant: Tenant, token: str) -> str:
    try:
        identity = sign_in(tenant.settings, tenant.engine, token, audience=Audience.PORTAL, channel="portal")
    except SignInRefusedError as exc:
        return f"refused: {exc.reason}"
    return f"ok: {identity.workflow_id}"


def test_many_candidates_signing_in_at_once_all_get_in(tenant: Tenant) -> None:
    tokens = [_token(tenant, WORKFLOWS[n % len(WORKFLOWS)]) for n in range(16)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(lambda token: _attempt(tenant, token), tokens))
    assert outcomes == [f"ok: {WORKFLOWS[n % len(WORKFLOWS)]}" for n in range(16)]
    with session_scope(tenant.engine) as session:
        signed_in = [
            e
            for workflow in WORKFLOWS
            for e in events_for(session, "offer", tenant.drafted[workflow])
            if e.action == "candidate.signed_in"
        ]
    assert len(signed_in) == 16


def test_a_one_time_link_opened_many_times_at_once_opens_exactly_one_chat(tenant: Tenant) -> None:
    token = _token(tenant, 3401, one_time=True)
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(lambda _: _attempt(tenant, token), range(8)))
    assert outcomes.count("ok: 3401") == 1
    assert all("already been used" in o for o in outcomes if not o.startswith("ok"))


def test_the_per_message_recheck_refuses_an_offer_that_is_not_the_links_workflows(tenant: Tenant) -> None:
    """Defence in depth (issue 14, item 8): a session whose offer id and workflow disagree, e.g. a forged or
    corrupted identity with another candidate's offer id, is refused on its next message."""
    import pytest

    from app.chat.signin import recheck
    from offer_engine.access import AccessDeniedError

    maya, daniel = tenant.offer(3401), tenant.offer(3402)
    recheck(tenant.engine, maya)  # the genuine identity passes
    crossed = maya.model_copy(update={"offer_id": daniel.offer_id})
    with pytest.raises(AccessDeniedError, match="does not match"):
        recheck(tenant.engine, crossed)
    other_tenant = maya.model_copy(update={"customer_id": maya.customer_id + 1})
    with pytest.raises(AccessDeniedError):
        recheck(tenant.engine, other_tenant)
