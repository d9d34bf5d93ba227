"""The recruiter review mode in headless Chromium against `offer-assistant serve`: a hiring manager signs in,
opens a counter-offer, approves the offer and sees its iCIMS sync status.

The review mode is wired into the app entry by `app.modes.install_review_mode` (staff password sign-in,
staff sessions dispatched to `app.review.handlers`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from app.review import runtime, service
from app.review.demo_staff import ensure_demo_staff
from offer_engine import counters, offers, staff
from offer_engine.actors import candidate_actor
from offer_engine.db import make_engine, session_scope
from offer_engine.terms import CounterItem, Term
from tests.e2e.conftest import ServedApp, element_after_navigation

pytestmark = pytest.mark.e2e
WAIT = 60


def _texts(driver: Any) -> list[str]:
    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, "[data-step-type='assistant_message']")]


def _wait_for_text(driver: Any, expected: str) -> str:
    return str(WebDriverWait(driver, WAIT).until(lambda d: next((t for t in _texts(d) if expected in t), False)))


def _button(driver: Any, label: str) -> WebElement:
    """The newest button whose label contains `label`."""

    def found(d: Any) -> WebElement | bool:
        buttons = [b for b in d.find_elements(By.CSS_SELECTOR, "button") if label in b.text]
        return buttons[-1] if buttons else False

    return WebDriverWait(driver, WAIT).until(found)  # type: ignore[no-any-return]


def _click(driver: Any, label: str) -> None:
    """Click the newest button with `label` (by script: the chat's floating controls may cover it)."""
    driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", _button(driver, label)
    )


@pytest.fixture
def review_setup(served_app: ServedApp) -> dict[str, Any]:
    config = httpx.get(f"{served_app.base_url}/auth/config", timeout=10).json()
    assert config.get("passwordAuth"), "staff password sign-in must be offered (app.modes.install_review_mode)"
    engine = make_engine(served_app.settings.resolved_database_url)
    credentials = {c.username: c.password for c in ensure_demo_staff(served_app.settings, engine)}
    rt = runtime.configure(served_app.settings, engine)
    with session_scope(engine) as session:
        offer = offers.find_open_offer(session, served_app.settings.icims.customer_id, 3401)
        assert offer is not None, "serve drafts the offer-ready demo workflows"
        assert offer.id is not None
        recruiter = staff.find_user(session, "alex.rivera")
        assert recruiter is not None
    service.submit(rt, recruiter.id or 0, offer.id)  # the hiring manager's step is now open
    with session_scope(engine) as session:
        current = offers.get_offer(session, offer.id)
        # The candidate replaces any proposal an earlier test left open: the review detail shows the open one.
        for earlier in counters.queue(session):
            if earlier.offer_id == offer.id and earlier.id is not None:
                counters.withdraw(session, earlier.id, actor=candidate_actor(current.person_id or 0), reason="replaced")
        counter = counters.submit_counter(
            session,
            current,
            [CounterItem(term=Term.SIGN_ON_BONUS, requested=Decimal(18000), currency="USD")],
            actor=candidate_actor(current.person_id or 0),
            source_message_text="Could the sign-on be 18k?",
        )
    with session_scope(engine) as session:
        grace = staff.find_user(session, "grace.liu")
        assert grace is not None
    queued = [(i.kind.value, i.ref_id) for i in service.queue(rt, grace.id or 0)]
    position = queued.index(("counter", counter.id)) + 1  # other tests may have queued Maya's own counter-offers
    return {
        "engine": engine,
        "offer_id": offer.id,
        "counter_id": counter.id,
        "password": credentials["grace.liu"],
        "queue_label": f"{position}. Maya Patel: Counter-offer",
    }


def test_a_hiring_manager_opens_a_counter_offer_approves_and_sees_the_sync(
    served_app: ServedApp, browser: Any, review_setup: dict[str, Any]
) -> None:
    browser.get(f"{served_app.base_url}/login")
    element_after_navigation(browser, By.ID, "email", WAIT).send_keys("grace.liu")
    password = browser.find_element(By.ID, "password")
    password.send_keys(review_setup["password"])
    password.send_keys(Keys.ENTER)

    queue = _wait_for_text(browser, "Review queue")
    assert "Maya Patel" in queue
    assert "Counter-offer" in queue
    assert "Daniel Okafor" not in queue
    _click(browser, review_setup["queue_label"])
    _wait_for_text(browser, "Counter-offer C-")
    requested = _wait_for_text(browser, "$18,000.00")  # the items table may arrive after the header
    assert "sign-on bonus" in requested

    _click(browser, "Approve: Hiring manager")
    _wait_for_text(browser, "Approved, not yet released")
    with session_scope(review_setup["engine"]) as session:
        assert offers.get_offer(session, review_setup["offer_id"]).state == "approved"

    _click(browser, "Sync to iCIMS")

    def synced(d: Any) -> bool:
        status = _texts(d)[-1]
        if "iCIMS holds everything sent" in status:
            return True
        _click(d, "Refresh sync status")
        return False

    WebDriverWait(browser, WAIT, poll_frequency=3).until(synced)
    assert "Offer letter (PDF)" in _texts(browser)[-1]
