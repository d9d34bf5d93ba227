"""Property tests the parser suites do not have yet (tests/icims/test_webhooks.py and tests/app/ai/ cover "never
crashes" on random input, and round trips of formatted money and long dates): webhook events round-trip their
values and duplicate keys ignore the delivery form; any signed request verifies and any changed byte does not;
counter-offer extraction reads back generated requests exactly, and whatever it extracts from any text can be
applied to the offer; currency codes and offer terms fail only with their typed errors."""

from __future__ import annotations

import gzip
import json
import random
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from babel.numbers import list_currencies
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from app.ai.counter import extract_counter_offer
from app.ai.dates import find_dates, format_long_date
from icims.webhooks import WebhookAuthError, duplicate_key, parse_status_change, sign_hmac, verify_hmac
from offer_engine.terms import OfferTerms, Term, UnknownCurrencyError, apply_counter_items, normalise_currency
from tests.app.ai.factories import TODAY, make_terms

NOW = datetime(2030, 3, 4, 12, 0, 0, tzinfo=UTC)
USD = make_terms()  # base 172,000 USD, start 2027-03-08
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- webhooks ---------------------------------------------------------------------------------------------------

ids = st.integers(min_value=0, max_value=10**9)
statuses = st.from_regex(r"C?[1-9]\d{0,5}", fullmatch=True)


@st.composite
def status_changes(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "customerId": draw(ids),
        "eventType": "WorkFlowStatusChangeEvent",
        "systemId": draw(ids),
        "jobId": draw(st.none() | ids),
        "personId": draw(st.none() | ids),
        "userId": draw(st.none() | ids),
        "oldStatus": draw(st.none() | statuses),
        "newStatus": draw(statuses),
    }


def _delivery(values: dict[str, Any], *, as_text: bool, compress: bool, order: int) -> tuple[bytes, dict[str, str]]:
    """The event as iCIMS might send it: ids as strings or numbers, any key order, gzip or not."""
    present = [(k, (str(v) if as_text and isinstance(v, int) else v)) for k, v in values.items() if v is not None]
    random.Random(order).shuffle(present)
    raw = json.dumps(dict(present)).encode()
    return (gzip.compress(raw), {"Content-Encoding": "gzip"}) if compress else (raw, {})


@FAST
@given(status_changes(), st.booleans(), st.booleans(), st.integers())
def test_a_status_change_event_round_trips_its_values(
    values: dict[str, Any], as_text: bool, compress: bool, order: int
) -> None:
    body, headers = _delivery(values, as_text=as_text, compress=compress, order=order)
    event = parse_status_change(body, headers)
    assert (event.customer_id, event.system_id, event.job_id, event.person_id, event.user_id) == (
        values["customerId"],
        values["systemId"],
        values["jobId"],
        values["personId"],
        values["userId"],
    )
    assert (event.old_status, event.new_status) == (values["oldStatus"], values["newStatus"])


@FAST
@given(status_changes(), ids, st.booleans(), st.booleans(), st.integers(), st.integers())
def test_the_duplicate_key_ignores_how_an_event_was_delivered_but_not_what_happened(
    values: dict[str, Any], other_user: int, text_a: bool, gzip_a: bool, order_a: int, order_b: int
) -> None:
    first = parse_status_change(*_delivery(values, as_text=text_a, compress=gzip_a, order=order_a))
    redelivered = {**values, "userId": other_user}  # another user pressing the same transition
    again = parse_status_change(*_delivery(redelivered, as_text=not text_a, compress=not gzip_a, order=order_b))
    assert duplicate_key(first) == duplicate_key(again)
    moved_on = {**values, "oldStatus": values["newStatus"], "newStatus": values["newStatus"] + "1"}
    assert duplicate_key(parse_status_change(*_delivery(moved_on, as_text=True, compress=False, order=0))) != (
        duplicate_key(first)
    )


paths = st.from_regex(r"/[a-z0-9_/-]{0,40}", fullmatch=True)
queries = st.from_regex(r"([a-z]{1,8}=[a-z0-9]{0,8}(&[a-z]{1,8}=[a-z0-9]{0,8}){0,3})?", fullmatch=True)
secrets_ = st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=16, max_size=64)


@FAST
@given(
    st.binary(max_size=2048),
    paths,
    queries,
    st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True),
    secrets_,
    st.data(),
)
def test_any_signed_request_verifies_and_any_changed_byte_does_not(
    body: bytes, path: str, query: str, user: str, secret: str, data: st.DataObject
) -> None:
    url = f"https://hooks.example.test:8443{path}" + (f"?{query}" if query else "")
    headers = sign_hmac(method="POST", url=url, body=body, user=user, secret=secret, now=NOW)

    def verify(body: bytes = body, secret: str = secret, path: str = path, query: str = query) -> None:
        verify_hmac(
            method="POST",
            path=path,
            query=query,
            headers=headers,
            body=body,
            user=user,
            secret=secret,
            max_skew_seconds=300,
            now=NOW,
        )

    verify()
    if body:
        at = data.draw(st.integers(min_value=0, max_value=len(body) - 1))
        flipped = body[:at] + bytes([body[at] ^ (1 << data.draw(st.integers(0, 7)))]) + body[at + 1 :]
        with pytest.raises(WebhookAuthError):
            verify(body=flipped)
    with pytest.raises(WebhookAuthError):
        verify(body=body + b" ")
    with pytest.raises(WebhookAuthError):
        verify(secret=secret[:-1] + ("x" if secret[-1] != "x" else "y"))
    with pytest.raises(WebhookAuthError):
        verify(path=path + "x")


# -- counter-offer extraction -----------------------------------------------------------------------------------


def _only(message: str, term: Term) -> Any:
    proposal = extract_counter_offer(message, USD, TODAY)
    assert proposal is not None, message
    items = [item for item in proposal.items if item.term is term]
    assert len(items) == 1, (message, proposal.items)
    return items[0]


@FAST
@given(
    st.integers(min_value=100, max_value=999),
    st.sampled_from(["could you do {}k base?", "I'd need {}K base salary", "Would {}k base work?"]),
)
def test_a_requested_salary_in_thousands_is_read_exactly(thousands: int, template: str) -> None:
    assume(thousands not in (401, 403, 457, 172))  # retirement plans; the current salary is no change
    item = _only(template.format(thousands), Term.BASE_SALARY)
    assert item.requested == Decimal(thousands * 1000)
    assert item.currency == "USD"


@FAST
@given(st.integers(min_value=30_000, max_value=2_000_000).filter(lambda n: n != 172_000))
def test_a_requested_salary_with_separators_is_read_exactly(amount: int) -> None:
    item = _only(f"I'd need ${amount:,} base salary", Term.BASE_SALARY)
    assert item.requested == Decimal(amount)


@FAST
@given(
    st.dates(min_value=date(2027, 1, 1), max_value=date(2030, 12, 31)).filter(lambda d: d != date(2027, 3, 8)),
    st.sampled_from(["Could I start on {}?", "I'd need a start date of {}", "can we move my start to {}"]),
)
def test_a_requested_start_date_with_its_year_is_read_exactly(day: date, template: str) -> None:
    for written in (format_long_date(day), day.isoformat()):
        assert _only(template.format(written), Term.START_DATE).requested == day


@FAST
@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)))
def test_iso_dates_are_found_exactly(day: date) -> None:
    (mention,) = find_dates(f"on {day.isoformat()}.")
    assert mention.as_date() == day


words = st.sampled_from(
    [
        "base",
        "salary",
        "sign-on",
        "bonus",
        "RSUs",
        "equity",
        "start",
        "remote",
        "PTO",
        "days",
        "k",
        "$",
        "£",
        "€",
        "%",
        "could you do",
        "I'd need",
        "more",
        "instead",
        "by",
        "weeks",
        "on",
    ]
)
noise = st.lists(words | st.integers(0, 10**7).map(str) | st.text(max_size=8), max_size=14).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(noise | st.text(max_size=200))
def test_whatever_is_extracted_from_any_text_can_be_applied_to_the_offer(message: str) -> None:
    proposal = extract_counter_offer(message, USD, TODAY)
    if proposal is None:
        return
    for item in proposal.items:
        assert isinstance(item.term, Term)
        assert item.currency is None or item.currency in list_currencies()
    apply_counter_items(USD, proposal.items)  # valid terms, or this raises


# -- currency codes and offer terms -----------------------------------------------------------------------------


@given(st.text(max_size=8))
def test_a_currency_code_is_an_iso_code_or_a_typed_error(code: str) -> None:
    try:
        normalised = normalise_currency(code)
    except UnknownCurrencyError:
        return
    assert normalised in list_currencies()
    assert normalised == code.strip().upper()


@given(st.sampled_from(sorted(list_currencies())), st.text(alphabet=" \t", max_size=3), st.booleans())
def test_every_iso_code_is_accepted_in_any_case_and_padding(code: str, padding: str, lower: bool) -> None:
    assert normalise_currency(padding + (code.lower() if lower else code) + padding) == code


term_values = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=20)
    | st.decimals()
    | st.dates()
    | st.lists(st.integers(), max_size=2)
    | st.dictionaries(st.text(max_size=5), st.integers(), max_size=2)
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from([*OfferTerms.model_fields, "unknown"]), term_values, max_size=8))
def test_offer_terms_from_any_input_are_valid_or_a_validation_error(changes: dict[str, Any]) -> None:
    values = {**USD.model_dump(), **changes}
    try:
        terms = OfferTerms.model_validate(values)
    except ValidationError:
        return
    assert terms.currency in list_currencies()
