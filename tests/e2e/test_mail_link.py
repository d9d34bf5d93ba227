"""A recruiter follows the link in the staff e-mail `serve` sent at start-up (read from the sandbox mailbox) in
headless Chromium: the link leads through sign-in straight to that offer in review mode."""

from __future__ import annotations

import re
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from app.review.demo_staff import ensure_demo_staff
from offer_engine import offers, staff
from offer_engine.db import make_engine, session_scope
from tests.e2e.conftest import SCREENSHOTS, ServedApp, element_after_navigation

pytestmark = pytest.mark.e2e
WAIT = 60
MAYA = 3401


def _mail_to(served_app: ServedApp, address: str, subject_part: str) -> EmailMessage:
    """The mail the workers delivered to `address` (they deliver in the background, so wait for it)."""
    folder = served_app.settings.data_dir / "mail" / "new"
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        for path in sorted(folder.glob("*")) if folder.is_dir() else []:
            mail = message_from_bytes(path.read_bytes(), policy=policy.default)
            assert isinstance(mail, EmailMessage)
            if address in str(mail["To"]) and subject_part in str(mail["Subject"]):
                return mail
        time.sleep(0.5)
    raise AssertionError(f"no mail to {address} about {subject_part} in {folder}")


def _plain_text(mail: EmailMessage) -> str:
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def _assistant_texts(driver: Any) -> list[str]:
    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, "[data-step-type='assistant_message']")]


def test_the_recruiter_follows_the_mails_link_signs_in_and_lands_on_the_offer(
    served_app: ServedApp, browser: Any
) -> None:
    engine = make_engine(served_app.settings.resolved_database_url)
    password = {c.username: c.password for c in ensure_demo_staff(served_app.settings, engine)}["alex.rivera"]
    with session_scope(engine) as session:
        recruiter = staff.find_user(session, "alex.rivera")
        offer = offers.find_open_offer(session, served_app.settings.icims.customer_id, MAYA)
        assert recruiter is not None
        assert recruiter.email
        assert offer is not None
        address, offer_id = recruiter.email, offer.id

    text = _plain_text(_mail_to(served_app, address, "Maya Patel"))
    assert "then type" not in text
    [link] = re.findall(r"https?://\S+/\?offer=\d+", text)
    assert link == f"{served_app.base_url}/?offer={offer_id}"

    browser.get(link)  # not signed in: the app sends the recruiter to sign in first
    element_after_navigation(browser, By.ID, "email", WAIT).send_keys("alex.rivera")
    field = browser.find_element(By.ID, "password")
    field.send_keys(password)
    field.send_keys(Keys.ENTER)

    wait = WebDriverWait(browser, WAIT, ignored_exceptions=(StaleElementReferenceException,))
    opened = wait.until(lambda d: next((t for t in _assistant_texts(d) if "Maya Patel" in t and "Status:" in t), False))
    assert "Review queue" not in " ".join(_assistant_texts(browser)), "the link opens the offer, not the queue"
    assert f"offer={offer_id}" not in browser.current_url  # the address bar is back to the app's home
    assert "Sync to iCIMS" in browser.find_element(By.TAG_NAME, "body").text
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.execute_script(
        "const hits = [...document.querySelectorAll('[data-step-type=assistant_message]')]"
        "  .filter(e => e.innerText.includes('Maya Patel'));"
        "if (hits.length) hits[hits.length - 1].scrollIntoView({block: 'start'});"
    )
    browser.save_screenshot(str(SCREENSHOTS / "mail-link-opens-offer.png"))
    assert opened

    # Already signed in, the next mail's link opens its offer at once.
    text = _plain_text(_mail_to(served_app, address, "Daniel Okafor"))
    [link] = re.findall(r"https?://\S+/\?offer=\d+", text)
    browser.get(link)
    wait.until(lambda d: any("Daniel Okafor" in t and "Status:" in t for t in _assistant_texts(d)))
    assert not any("Maya Patel" in t for t in _assistant_texts(browser)), "a fresh review chat, on the new offer"
