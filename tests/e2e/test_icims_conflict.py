"""iCIMS as the record, in headless Chromium against `offer-assistant serve`: a person changed the base salary in
iCIMS after the draft; the served worker holds the approved terms' write; the recruiter reads both values in words
in review mode, chooses to write the approved one, and then reads that iCIMS holds the approved terms."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

import httpx
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy.engine import Engine

from app.review import runtime, service
from app.review.demo_staff import ensure_demo_staff
from offer_engine import approval_inbox, counters, offers, outbox, staff
from offer_engine.actors import candidate_actor
from offer_engine.db import make_engine, session_scope
from offer_engine.outbox import JobKind, SyncJob
from offer_engine.terms import CounterItem, Term
from tests.e2e.conftest import SCREENSHOTS, ServedApp, element_after_navigation
from tests.e2e.test_review_mode import _click, _texts, _wait_for_text

pytestmark = pytest.mark.e2e
WAIT = 60
WORKFLOW = 3405  # Kenji's offer on job 2305 ($160,000 in the fixture); no other browser test uses it
APPROVER = {"recruiter": "alex.rivera", "compensation": "compensation"}
HIRING_MANAGER = {3405: "grace.liu", 3403: "elena.rossi"}  # of jobs 2305 and 2303


def _sandbox(served: ServedApp, path: str, body: dict[str, Any]) -> Any:
    settings = served.settings
    base = f"http://127.0.0.1:{settings.sandbox.port}"
    form = {
        "grant_type": "client_credentials",
        "client_id": settings.icims.client_id,
        "client_secret": settings.secret("icims.client_secret"),
        "audience": "https://api.icims.com/v1/",
    }
    token = httpx.post(f"{base}/oauth/token", data=form, timeout=10).raise_for_status().json()["access_token"]
    answer = httpx.post(f"{base}/_sandbox/{path}", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    return answer.raise_for_status().json()


def _terms_job(engine: Engine, offer_id: int) -> SyncJob | None:
    with session_scope(engine) as session:
        found = [j for j in outbox.list_jobs(session, limit=1000) if j.offer_id == offer_id]
    return next((j for j in reversed(found) if j.kind == JobKind.WRITE_TERMS.value), None)


def _wait_for_state(engine: Engine, offer_id: int, state: str) -> SyncJob:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        job = _terms_job(engine, offer_id)
        if job is not None and job.state == state:
            return job
        time.sleep(0.3)
    raise AssertionError(f"the terms write never became {state}: {_terms_job(engine, offer_id)}")


def _approved_over_an_icims_edit(served: ServedApp) -> tuple[Engine, int, str]:
    return _approved(served, WORKFLOW, Decimal(175000), edit={"field31001": {"amount": 170000, "currency": "USD"}})


def _approved(
    served: ServedApp, workflow_id: int, base: Decimal, edit: dict[str, Any] | None = None
) -> tuple[Engine, int, str]:
    """The candidate's asked-for `base` granted in a new version (after a person's `edit` in iCIMS), approved."""
    engine = make_engine(served.settings.resolved_database_url)
    passwords = {c.username: c.password for c in ensure_demo_staff(served.settings, engine)}
    rt = runtime.configure(served.settings, engine)
    with session_scope(engine) as session:
        offer = offers.find_open_offer(session, served.settings.icims.customer_id, workflow_id)
        assert offer is not None
        ids = {name: (staff.find_user(session, name) or pytest.fail(name)).id or 0 for name in passwords}
        item = CounterItem(term=Term.BASE_SALARY, requested=base, currency="USD")
        counter = counters.submit_counter(session, offer, [item], actor=candidate_actor(offer.person_id or 0))
        offer_id = offer.id or 0
    service.resolve_counter(rt, ids["alex.rivera"], counter.id or 0, "accept_all")
    if edit:
        _sandbox(served, "edit", {"id": workflow_id, "values": edit})
    service.submit(rt, ids["alex.rivera"], offer_id)
    while True:
        with session_scope(engine) as session:
            request = approval_inbox.requests_for(session, offer_id)[-1]
            active = [s for s in approval_inbox.steps_of(session, request.id or 0) if s.state == "active"]
        if not active:
            break
        role = active[0].approver_role
        who = HIRING_MANAGER[workflow_id] if role == "hiring_manager" else APPROVER.get(role, "admin")
        service.decide(rt, ids[who], active[0].id or 0, approve=True, comment="ok")
    return engine, offer_id, passwords["alex.rivera"]


def _sign_in_and_open(served: ServedApp, browser: Any, password: str, offer_id: int, expected: str) -> str:
    browser.get(f"{served.base_url}/login")
    element_after_navigation(browser, By.ID, "email", WAIT).send_keys("alex.rivera")
    box = browser.find_element(By.ID, "password")
    box.send_keys(password)
    box.send_keys(Keys.ENTER)
    _wait_for_text(browser, "Review queue")
    composer = WebDriverWait(browser, WAIT).until(lambda d: d.find_element(By.CSS_SELECTOR, "#chat-input"))
    composer.send_keys(f"open {offer_id}")
    composer.send_keys(Keys.ENTER)
    return _wait_for_text(browser, expected)


def test_a_field_icims_refuses_is_shown_with_the_reason(served_app: ServedApp, browser: Any) -> None:
    _sandbox(served_app, "field-rules", {"missing": {"applicantworkflows": ["field31001"]}})
    try:
        engine, offer_id, password = _approved(served_app, 3403, Decimal(101000))
        _wait_for_state(engine, offer_id, "dead")
    finally:
        _sandbox(served_app, "field-rules", {"missing": {}})
    shown = _sign_in_and_open(served_app, browser, password, offer_id, "Not written to iCIMS")
    assert "Base salary (approved: $101,000.00): iCIMS refused it" in shown
    assert "Nothing else waits for it: the letter, the statuses and the candidate's link go to iCIMS as usual." in shown
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / "icims-refused.png"))


def test_a_recruiter_sees_an_icims_edit_in_words_and_writes_the_approved_value(
    served_app: ServedApp, browser: Any
) -> None:
    engine, offer_id, password = _approved_over_an_icims_edit(served_app)
    _wait_for_state(engine, offer_id, "held")  # the served worker read iCIMS and did not overwrite it

    shown = _sign_in_and_open(served_app, browser, password, offer_id, "iCIMS was changed since this offer was drafted")
    assert "iCIMS now says $170,000.00; the approved offer says $175,000.00" in shown
    assert "when the offer was drafted it said $160,000.00" in shown
    assert "Nothing was overwritten" in shown
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / "icims-conflict.png"))

    _click(browser, "Base salary: write the approved $175,000.00")
    _wait_for_text(browser, "the approved value is being written to iCIMS")
    done = _wait_for_state(engine, offer_id, "delivered")
    assert done.payload["verified"]["field31001"]["holds"] == "175000"
    composer = browser.find_element(By.CSS_SELECTOR, "#chat-input")
    composer.send_keys(f"open {offer_id}")
    composer.send_keys(Keys.ENTER)
    record = _wait_for_text(browser, "iCIMS was read back")
    assert "Base salary: $175,000.00" in record
    assert not [t for t in _texts(browser)[-1:] if "iCIMS now says" in t]
    browser.save_screenshot(str(SCREENSHOTS / "icims-record.png"))
