"""The staff e-mail's link `{public_url}/?offer=N`: the review mode's first screen opens that offer (once), checked
like any offer the user opens; a link naming no offer, or one the user may not see, shows the queue."""

from __future__ import annotations

import secrets

from app.review import handlers
from app.review.auth import chainlit_user
from app.review.deep_link import COOKIE, LinkedOffer, parse_cookie_header, requested_offer
from tests.app.review.conftest import Recorder, ReviewWorld, chainlit_context


def linked_session(world: ReviewWorld, name: str, value: str) -> Recorder:
    """A staff chat whose connection carried the deep link's cookie (as the browser sends it after sign-in)."""
    recorder = Recorder()
    context = chainlit_context(chainlit_user(world.user(name)), recorder)
    context.session.environ = {"HTTP_COOKIE": f"access_token=abc; {COOKIE}={value}; theme=dark"}
    return recorder


def nonce() -> str:
    return secrets.token_urlsafe(12)


async def test_a_followed_link_opens_its_offer_and_only_the_first_time(world: ReviewWorld) -> None:
    offer_id = world.draft(3401)
    cookie = f"{offer_id}.{nonce()}"
    alex = linked_session(world, "alex", cookie)
    await handlers.start_review(chainlit_user(world.user("alex")))
    welcome, opened = alex.texts()[:2]
    assert "Welcome, Alex" in welcome
    assert "Maya Patel" in opened
    assert "| Waiting | SLA |" not in opened, "the offer, not the queue"
    assert {"review_sync", "review_queue"} <= {a["name"] for a in alex.actions()}
    assert all(a["payload"].get("offer_id") in (None, offer_id) for a in alex.actions())

    again = linked_session(world, "alex", cookie)  # a new chat in the same browser, the cookie still there
    await handlers.start_review(chainlit_user(world.user("alex")))
    assert "| Waiting | SLA |" in again.texts()[1]


async def test_a_link_to_an_offer_the_user_may_not_see_opens_nothing_and_shows_the_queue(world: ReviewWorld) -> None:
    offer_id = world.draft(3401)  # job 2301: Grace's requisition, not Marcus's
    for target in (offer_id, 987654321):  # another's offer, and one that does not exist: the same answer
        marcus = linked_session(world, "marcus", f"{target}.{nonce()}")
        await handlers.start_review(chainlit_user(world.user("marcus")))
        texts = marcus.texts()
        assert "cannot be opened" in texts[1]
        assert str(target) not in texts[1]
        assert not any("Maya Patel" in text for text in texts)
        assert "| Waiting | SLA |" in texts[-1] or "Nothing" in texts[-1]
        assert "review_sync" not in {a["name"] for a in marcus.actions()}


async def test_a_link_naming_no_offer_says_so_and_shows_the_queue(world: ReviewWorld) -> None:
    world.draft(3401)
    alex = linked_session(world, "alex", f"none.{nonce()}")
    await handlers.start_review(chainlit_user(world.user("alex")))
    assert "does not name an offer" in alex.texts()[1]
    assert "| Waiting | SLA |" in alex.texts()[2]


def test_only_a_well_formed_cookie_is_read() -> None:
    assert parse_cookie_header(f"{COOKIE}=12.abc_-9") == LinkedOffer(offer_id=12, nonce="abc_-9")
    assert parse_cookie_header(f"{COOKIE}=none.abc") == LinkedOffer(offer_id=None, nonce="abc")
    for mangled in (None, "", "other=1", f"{COOKIE}=12", f"{COOKIE}=12.", f"{COOKIE}=x1.abc", f"{COOKIE}=1.a%3Cb",
                    f"{COOKIE}={'9' * 19}.abc", f'{COOKIE}="12.a b"'):  # fmt: skip
        assert parse_cookie_header(mangled) is None, mangled


def test_each_link_is_opened_once_per_process() -> None:
    environ = {"HTTP_COOKIE": f"{COOKIE}=7.{nonce()}"}
    assert requested_offer(environ, now=1000.0) is not None
    assert requested_offer(environ, now=1001.0) is None
    assert requested_offer({}, now=1002.0) is None
