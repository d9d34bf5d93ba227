"""A candidate who sent a counter-offer asks where it stands, in a real browser: the answer comes from the queue."""

from __future__ import annotations

import os
from typing import Any

import pytest

from offer_engine.columns import utcnow
from offer_engine.money import format_date
from tests.e2e.conftest import ServedApp
from tests.e2e.test_candidate_chat import _ask, _button, _wait_for_text

pytestmark = pytest.mark.e2e


def test_a_candidate_asks_about_the_counter_they_sent(served_app: ServedApp, browser: Any) -> None:
    browser.get(served_app.link("Daniel Okafor"))
    _wait_for_text(browser, browser, "Daniel")
    _ask(browser, browser, "Did you get my counter offer?")
    _wait_for_text(browser, browser, "I don't see a counter-offer from you on this offer yet.")

    _ask(browser, browser, "Could you add a sign-on bonus of $20,000?")
    _wait_for_text(browser, browser, "Here's what I understood")
    _button(browser, browser, "Yes, send it").click()
    _wait_for_text(browser, browser, "your proposal is with")

    _ask(browser, browser, "did you get my request?")
    answer = _wait_for_text(browser, browser, "Yes, we have it")
    assert f"you sent your counter-offer (Sign-on bonus) on {format_date(utcnow().date(), 'en_US')}" in answer
    assert "a revised offer needs internal approval before it reaches you" in answer
    shots = os.environ.get("OFFER_ASSISTANT_SCREENSHOTS")
    if shots:
        browser.save_screenshot(os.path.join(shots, "counter-status.png"))
