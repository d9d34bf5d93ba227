"""The candidate's journey in a real browser against `offer-assistant serve`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from offer_engine import approvals, counters, offers
from offer_engine.db import make_engine, session_scope
from tests import factories
from tests.e2e.conftest import ServedApp

pytestmark = pytest.mark.e2e
WAIT = 45
OLIVER = 3404


def _assistant_texts(root: Any) -> list[str]:
    return [e.text for e in root.find_elements(By.CSS_SELECTOR, "[data-step-type='assistant_message']")]


def _wait_for_text(driver: Any, root: Any, expected: str) -> str:
    def found(_: Any) -> str | bool:
        return next((text for text in _assistant_texts(root) if expected in text), False)

    return str(WebDriverWait(driver, WAIT).until(found))


def _ask(driver: Any, root: Any, question: str) -> None:
    box: WebElement = WebDriverWait(driver, WAIT).until(lambda _: root.find_element(By.CSS_SELECTOR, "#chat-input"))
    box.send_keys(question)
    box.send_keys(Keys.ENTER)


def _button(driver: Any, root: Any, label: str) -> WebElement:
    def found(_: Any) -> WebElement | bool:
        return next((b for b in root.find_elements(By.CSS_SELECTOR, "button") if b.text.strip() == label), False)

    return WebDriverWait(driver, WAIT).until(found)  # type: ignore[no-any-return]


def test_a_candidate_asks_gets_a_cited_answer_and_proposes_a_counter_offer(served_app: ServedApp, browser: Any) -> None:
    browser.get(served_app.link("Maya Patel"))
    greeting = _wait_for_text(browser, browser, "Senior Backend Engineer")
    assert "Maya" in greeting
    assert "letter" not in greeting.lower()  # her offer is still in review: no draft letter is shown
    assert browser.current_url.rstrip("/") == served_app.base_url  # the token is gone from the address bar

    _ask(browser, browser, "When do I start?")
    answer = _wait_for_text(browser, browser, "January 31, 2028")
    assert "Sources:" in answer
    _source(browser, "start date").click()  # opens in place under its answer
    WebDriverWait(browser, WAIT).until(lambda d: "applicantworkflow.field31006" in d.page_source)

    _ask(browser, browser, "Which health plans can I choose?")
    _wait_for_text(browser, browser, "benefits documents")
    lists = WebDriverWait(browser, WAIT).until(lambda d: _source_lists(d) if len(_source_lists(d)) == 2 else False)
    assert lists[0] == ["Offer - Start date"]  # the first answer's list is unchanged
    assert lists[1]
    assert "Offer - Start date" not in lists[1]  # the new one lists only its own sources
    assert browser.find_elements(By.CSS_SELECTOR, "#side-view-title") == []  # no side panel popping open

    _ask(browser, browser, "Could you do 200k base and a 20k sign-on?")
    proposal = _wait_for_text(browser, browser, "Here's what I understood")
    assert "$200,000" in proposal
    assert "$20,000" in proposal
    _button(browser, browser, "Yes, send it").click()
    done = _wait_for_text(browser, browser, "your proposal is with")

    engine = make_engine(served_app.settings.resolved_database_url)
    with session_scope(engine) as session:
        [counter] = [c for c in counters.queue(session) if c.source_message_text and "200k" in c.source_message_text]
        items = {i.term: Decimal(str(i.requested)) for i in counters.items_of(session, counter.id or 0)}
    assert f"C-{counter.id}" in done
    assert items == {"base_salary": Decimal(200000), "sign_on_bonus": Decimal(20000)}
    engine.dispose()


def _source(driver: Any, name: str) -> WebElement:
    def found(d: Any) -> WebElement | bool:
        titles = d.find_elements(By.CSS_SELECTOR, ".offer-source-title")
        return next((t for t in titles if name in t.text.lower()), False)

    return WebDriverWait(driver, WAIT).until(found)  # type: ignore[no-any-return]


def _source_lists(driver: Any) -> list[list[str]]:
    lists = driver.find_elements(By.CSS_SELECTOR, ".offer-sources")
    return [[t.text for t in s.find_elements(By.CSS_SELECTOR, ".offer-source-title")] for s in lists]


def test_a_released_offer_shows_its_letter(served_app: ServedApp, browser: Any) -> None:
    engine = make_engine(served_app.settings.resolved_database_url)
    with session_scope(engine) as session:  # what approving and releasing in review mode does
        offer = offers.find_open_offer(session, served_app.settings.icims.customer_id, OLIVER)
        assert offer is not None
        approvals.start_chain(session, offer, [], actor=factories.recruiter())
        offers.mark_sent(session, offer, actor=factories.recruiter())
    engine.dispose()
    browser.get(served_app.link("Oliver Bennett"))
    greeting = _wait_for_text(browser, browser, "Engineering Manager")
    assert "Your offer letter is attached: Offer letter v1" in greeting
    assert "draft" not in greeting.lower()


def test_a_forged_link_gets_the_refusal_page_and_no_chat(served_app: ServedApp, browser: Any) -> None:
    real = served_app.link("Daniel Okafor")
    forged = real[:-6] + ("AAAAAA" if not real.endswith("AAAAAA") else "BBBBBB")
    assert httpx.get(forged, follow_redirects=False, timeout=10).status_code == 401
    browser.get(forged)
    heading = WebDriverWait(browser, WAIT).until(lambda d: d.find_element(By.TAG_NAME, "h1"))
    assert heading.text == "This link can't open a chat"
    assert "not valid" in browser.find_element(By.ID, "reason").text
    assert browser.find_elements(By.CSS_SELECTOR, "#chat-input") == []
    browser.get(served_app.base_url + "/")  # and no session cookie was set: the chat itself stays closed
    WebDriverWait(browser, WAIT).until(lambda d: "/login" in d.current_url)


def test_the_careers_page_widget_answers_a_question(served_app: ServedApp, browser: Any) -> None:
    browser.get(served_app.widget_link())
    host = WebDriverWait(browser, WAIT).until(lambda d: d.find_element(By.CSS_SELECTOR, "#chainlit-copilot"))
    root = host.shadow_root
    WebDriverWait(browser, WAIT).until(lambda _: root.find_element(By.CSS_SELECTOR, "#chainlit-copilot-button")).click()
    _wait_for_text(browser, root, "Senior Backend Engineer")
    _ask(browser, root, "How many RSUs am I getting?")
    answer = _wait_for_text(browser, root, "4,000")
    assert "Sources:" in answer
    _ask(browser, root, "What is Daniel Okafor's salary?")
    refusal = _wait_for_text(browser, root, "only talk about your own offer")
    assert "150,000" not in refusal
