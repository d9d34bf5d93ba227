"""Signing the released letter in a real browser against `offer-assistant serve`: review, type the name, confirm."""

from __future__ import annotations

import io
import subprocess
import sys
from typing import Any

import pytest
from pypdf import PdfReader
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from offer_engine import approvals, audit, letter_store, offers, signatures
from offer_engine.db import make_engine, session_scope
from offer_engine.offers import OfferState
from tests import factories
from tests.e2e.conftest import LAUNCH, SCREENSHOTS, ServedApp
from tests.e2e.test_candidate_chat import _ask, _button

pytestmark = pytest.mark.e2e
WAIT = 45
DANIEL = 3402


def _page_text(driver: Any) -> str:
    return str(driver.find_element(By.TAG_NAME, "body").text)


def _wait_until_shown(driver: Any, *texts: str) -> None:
    wait = WebDriverWait(driver, WAIT, ignored_exceptions=(StaleElementReferenceException,))
    wait.until(lambda d: all(text in _page_text(d) for text in texts))


def _screenshot(driver: Any, name: str, showing: str) -> None:
    """A screenshot with the last element holding `showing` scrolled into view."""
    driver.execute_script(
        "const hits = [...document.querySelectorAll('[data-step-type=assistant_message]')]"
        "  .filter(e => e.innerText.includes(arguments[0]));"
        "if (hits.length) hits[hits.length - 1].scrollIntoView({block: 'start'});",
        showing,
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / name))


def _press(driver: Any, label: str) -> None:
    """Click the button by script: the chat's floating scroll-down control may cover it (a native click fails)."""
    button = _button(driver, driver, label)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click();", button)


def _release(served_app: ServedApp) -> int:
    """What approving and releasing Daniel's offer in review mode does (whatever state it is in now)."""
    engine = make_engine(served_app.settings.resolved_database_url)
    with session_scope(engine) as session:
        offer = offers.find_open_offer(session, served_app.settings.icims.customer_id, DANIEL)
        assert offer is not None
        if offer.status is OfferState.IN_REVIEW:
            approvals.start_chain(session, offer, [], actor=factories.recruiter())
        if offer.status is OfferState.APPROVED:
            offers.mark_sent(session, offer, actor=factories.recruiter())
        assert offer.status is OfferState.SENT
        offer_id = offer.id or 0
    engine.dispose()
    return offer_id


def _start_afresh(served_app: ServedApp) -> None:
    """Earlier browser tests chatted as Daniel, and a returning candidate resumes that conversation: erase it (the
    product's own command), so the chat opens with the greeting of a released offer."""
    config = served_app.settings.data_dir.parent / "offer-assistant.toml"
    erased = subprocess.run(
        [sys.executable, "-c", LAUNCH, "--config", str(config), "candidate", "erase",
         "--workflow", str(DANIEL), "--yes"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert erased.returncode == 0, erased.stderr


def test_a_candidate_signs_the_released_letter_in_the_chat(served_app: ServedApp, browser: Any) -> None:
    offer_id = _release(served_app)
    _start_afresh(served_app)
    browser.delete_all_cookies()
    browser.get("about:blank")
    browser.get(served_app.link("Daniel Okafor"))
    _wait_until_shown(browser, "Your offer letter is attached")
    _screenshot(browser, "signing-0-offered.png", "Your offer letter is attached")
    _press(browser, "Review and sign my letter")
    _wait_until_shown(browser, "type your full name as it appears in the letter")
    _screenshot(browser, "signing-1-review.png", "type your full name")

    _ask(browser, browser, "daniel  OKAFOR")
    _wait_until_shown(browser, "You're about to sign your offer letter", "daniel OKAFOR")
    _screenshot(browser, "signing-2-confirm.png", "You're about to sign")
    _press(browser, "Sign and accept")
    _wait_until_shown(browser, "you signed your offer letter", "Signed offer letter v1")
    _screenshot(browser, "signing-3-signed.png", "you signed your offer letter")

    engine = make_engine(served_app.settings.resolved_database_url)
    with session_scope(engine) as session:
        [signature] = signatures.signatures_for(session, offer_id)
        signed = letter_store.get_letter(session, signature.signed_letter_id)
        state = offers.get_offer(session, offer_id).state
    engine.dispose()
    assert state == OfferState.ACCEPTED.value
    assert signed.pdf is not None
    assert audit.sha256_of(signed.pdf) == signature.signed_pdf_sha256
    assert signature.ip_address == "127.0.0.1"  # from the connection, never typed
    assert signature.link_id  # the link that opened this chat
    (SCREENSHOTS / "signed-letter.pdf").write_bytes(signed.pdf)
    page = " ".join(PdfReader(io.BytesIO(signed.pdf)).pages[-1].extract_text().split())
    assert "daniel OKAFOR" in page
    assert "Daniel Okafor" in page
    screen = _page_text(browser)
    for internal in (signature.link_id, signature.signed_pdf_sha256, signature.released_pdf_sha256, "sign_confirm"):
        assert internal not in screen  # the chat shows no internal ids, keys or hashes
