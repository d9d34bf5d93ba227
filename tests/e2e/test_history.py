"""Conversation history in a real browser against `offer-assistant serve`: a returning candidate sees their
conversation and the recruiter's message with the recruiter's name; after erasure there is nothing to see."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import httpx
import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from app.review.demo_staff import ensure_demo_staff
from offer_engine import chat_history, messages, offers
from offer_engine.chat_history import ThreadOwner
from offer_engine.db import make_engine, session_scope
from tests import factories
from tests.e2e.conftest import LAUNCH, SCREENSHOTS, ServedApp, element_after_navigation
from tests.e2e.test_candidate_chat import _ask

pytestmark = pytest.mark.e2e
WAIT = 45
PRIYA = 3405
QUESTION = "When do I start?"
RECRUITER = "Alex Rivera"
RECRUITER_SAYS = "Hi Priya, happy to walk you through the start date on a call tomorrow."
SOFIA = 3403
SOFIA_TALK = (
    ("user_message", "Sofía Hernández", "¿Cuándo empiezo?"),
    ("assistant_message", "Corvid Systems offer assistant", "Tu fecha de inicio es el 1 de marzo de 2027."),
    ("assistant_message", "Alex Rivera", "Hola Sofía, te llamo mañana."),
)


def _page_text(driver: Any) -> str:
    return str(driver.find_element(By.TAG_NAME, "body").text)


def _wait_until_shown(driver: Any, *texts: str) -> None:
    """Until every text is on the page (the chat re-renders as the conversation starts: no element is kept)."""
    wait = WebDriverWait(driver, WAIT, ignored_exceptions=(StaleElementReferenceException,))
    wait.until(lambda d: all(text in _page_text(d) for text in texts))


def _screenshot(driver: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / name))


def _post_recruiter_message(served_app: ServedApp) -> None:
    engine = make_engine(served_app.settings.resolved_database_url)
    with session_scope(engine) as session:
        offer = offers.find_open_offer(session, served_app.settings.icims.customer_id, PRIYA)
        assert offer is not None
        assert offer.id is not None
        messages.post_message(session, offer.id, RECRUITER_SAYS, actor=factories.recruiter(), author_name=RECRUITER)
    engine.dispose()


def _come_back(driver: Any, link: str) -> None:
    """A fresh visit: the browser's session is gone, the candidate opens their link again."""
    driver.delete_all_cookies()
    driver.get("about:blank")
    driver.get(link)


def test_a_returning_candidate_sees_their_conversation_and_the_recruiters_message_until_erased(
    served_app: ServedApp, browser: Any
) -> None:
    link = served_app.link("Priya Raman")
    browser.get(link)
    _wait_until_shown(browser, "Priya")
    _ask(browser, browser, QUESTION)
    _wait_until_shown(browser, QUESTION, "Sources:")  # the cited answer
    _post_recruiter_message(served_app)

    _come_back(browser, link)
    WebDriverWait(browser, WAIT).until(lambda d: "/thread/" in d.current_url)
    _wait_until_shown(browser, QUESTION, "Sources:", RECRUITER_SAYS)  # the question, its answer, the new message
    assert RECRUITER in _page_text(browser)  # the recruiter's message says who wrote it
    _screenshot(browser, "history-returning-candidate.png")
    thread_id = browser.current_url.rstrip("/").rsplit("/", 1)[1]

    _come_back(browser, link)  # a second return: the recruiter's message is still there, shown once
    _wait_until_shown(browser, RECRUITER_SAYS)
    assert _page_text(browser).count(RECRUITER_SAYS) == 1

    config = served_app.settings.data_dir.parent / "offer-assistant.toml"
    erased = subprocess.run(
        [sys.executable, "-c", LAUNCH, "--config", str(config), "candidate", "erase",
         "--workflow", str(PRIYA), "--yes"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert erased.returncode == 0, erased.stderr
    assert "erased 1 conversation(s)" in erased.stdout

    cookies = {c["name"]: c["value"] for c in browser.get_cookies()}
    gone = httpx.get(f"{served_app.base_url}/project/thread/{thread_id}", cookies=cookies, timeout=30)
    assert gone.status_code == 404
    _come_back(browser, link)
    _wait_until_shown(browser, "Priya")  # a new, empty conversation
    assert thread_id not in browser.current_url  # a new conversation, not the erased one
    shown = _page_text(browser)
    assert "Sources:" not in shown  # the earlier answer is gone (the question is also a suggested starter)
    assert RECRUITER_SAYS not in shown
    _screenshot(browser, "history-after-erasure.png")


def test_a_recruiter_reads_a_candidates_conversation_from_the_offer(served_app: ServedApp, browser: Any) -> None:
    engine = make_engine(served_app.settings.resolved_database_url)
    password = {c.username: c.password for c in ensure_demo_staff(served_app.settings, engine)}["alex.rivera"]
    with session_scope(engine) as session:
        offer = offers.find_open_offer(session, served_app.settings.icims.customer_id, SOFIA)
        assert offer is not None
        assert offer.id is not None
        owner = ThreadOwner(
            identifier=f"candidate:{offer.customer_id}:{offer.workflow_id}:{offer.id}",
            customer_id=offer.customer_id, workflow_id=offer.workflow_id, offer_id=offer.id,
        )  # fmt: skip
        for n, (kind, name, text) in enumerate(SOFIA_TALK):
            body = {"id": f"sofia-{n}", "threadId": "sofia-thread", "type": kind, "name": name, "output": text}
            chat_history.save_step(session, owner, "sofia-thread", f"sofia-{n}", body)
        offer_id = offer.id
    engine.dispose()

    browser.get(f"{served_app.base_url}/login")
    element_after_navigation(browser, By.ID, "email", WAIT).send_keys("alex.rivera")
    field = browser.find_element(By.ID, "password")
    field.send_keys(password)
    field.send_keys(Keys.ENTER)
    _wait_until_shown(browser, "Review queue")
    _ask(browser, browser, f"open {offer_id}")
    conversation = _newest_button(browser, "Conversation")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", conversation)
    _wait_until_shown(browser, "Conversation with", *(text for _, _, text in SOFIA_TALK))
    shown = _page_text(browser)
    assert "Sofía Hernández" in shown
    assert "sofia-thread" not in shown  # no internal ids on screen
    _screenshot(browser, "history-staff-conversation.png")


def _newest_button(driver: Any, label: str) -> Any:
    def found(d: Any) -> Any:
        buttons = [b for b in d.find_elements(By.CSS_SELECTOR, "button") if b.text.strip() == label]
        return buttons[-1] if buttons else False

    return WebDriverWait(driver, WAIT, ignored_exceptions=(StaleElementReferenceException,)).until(found)
