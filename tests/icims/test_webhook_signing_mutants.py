"""What mutation testing of icims/webhooks/signing.py showed untested (scripts/mutation.sh, docs/mutation.md)."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest

from icims.webhooks import WebhookAuthError, sign_hmac, verify_hmac
from icims.webhooks.signing import canonical_request, signature

NOW = datetime(2030, 3, 4, 12, 0, 0, tzinfo=UTC)
KEY = "k3y-for-hmac-tests-only-0123456789"
BODY = json.dumps({"eventType": "WorkFlowStatusChangeEvent"}).encode()


def check(
    headers: dict[str, str], *, body: bytes = BODY, now: datetime = NOW, skew: float = 300, path: str = "/w"
) -> None:
    verify_hmac(
        method="POST",
        path=path,
        query="",
        headers=headers,
        body=body,
        user="icims-events",
        secret=KEY,
        max_skew_seconds=skew,
        now=now,
    )


def signed(url: str = "https://offers.example.test/w", *, now: datetime = NOW) -> dict[str, str]:
    return sign_hmac(method="POST", url=url, body=BODY, user="icims-events", secret=KEY, now=now)


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://offers.example.test/w", "offers.example.test"),
        ("https://offers.example.test:443/w", "offers.example.test"),
        ("http://offers.example.test:80/w", "offers.example.test"),
        ("https://offers.example.test:8443/w", "offers.example.test:8443"),
        ("http://offers.example.test:443/w", "offers.example.test:443"),
        ("http://[::1]:8080/w", "[::1]:8080"),
        ("https://[::1]/w", "[::1]"),
    ],
)
def test_the_signed_host_names_a_port_only_when_it_is_not_the_schemes_default(url: str, host: str) -> None:
    assert signed(url)["host"] == host


def test_the_canonical_request_is_exactly_the_documented_layout() -> None:
    headers = {"Host": " offers.example.test ", "X-Icims-Date": "2030-03-04T12:00:00+0000", "Other": "unsigned"}
    canonical = canonical_request("post", "/w", "a=1&b=2", headers, ["x-icims-date", "Host", "missing"])
    assert canonical == (
        "POST\n/w\na=1&b=2\n"
        "host:offers.example.test\nmissing:\nx-icims-date:2030-03-04T12:00:00+0000\n"
        "\nhost;missing;x-icims-date"
    )


def test_an_empty_path_is_signed_as_the_root() -> None:
    assert canonical_request("GET", "", "", {}, []).split("\n")[:2] == ["GET", "/"]


def test_the_signature_is_the_hmac_of_the_documented_string_to_sign() -> None:
    canonical = "POST\n/w\n\nhost:h\n\nhost"
    to_sign = "x-icims-v1-hmac-sha256\n2030-03-04T12:00:00+0000\n" + hashlib.sha256(canonical.encode()).hexdigest()
    expected = hmac.new(KEY.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    assert signature(KEY, "2030-03-04T12:00:00+0000", canonical) == expected


def test_a_request_signed_over_one_path_is_refused_on_another() -> None:
    headers = signed()
    check(headers)
    with pytest.raises(WebhookAuthError, match="signature"):
        check(headers, path="/other")


def test_the_clock_skew_limit_is_inclusive() -> None:
    headers = signed()
    check(headers, now=NOW + timedelta(seconds=300))
    check(headers, now=NOW - timedelta(seconds=300))
    with pytest.raises(WebhookAuthError, match="301 s away from now"):
        check(headers, now=NOW + timedelta(seconds=301))


def test_a_date_without_a_time_zone_is_refused() -> None:
    headers = {**signed(), "x-icims-date": "2030-03-04T12:00:00"}
    with pytest.raises(WebhookAuthError, match="no time zone"):
        check(headers)


def sign_by_hand(headers: dict[str, str]) -> dict[str, str]:
    """``headers`` (all signed) with the Authorization that signs them, for values sign_hmac would not produce."""
    names = sorted(headers)
    canonical = canonical_request("POST", "/w", "", headers, names)
    sig = signature(KEY, headers["x-icims-date"], canonical)
    authorization = f"x-icims-v1-hmac-sha256 user=icims-events, signedheaders={';'.join(names)}, signature={sig}"
    return {**headers, "authorization": authorization}


def test_an_iso_date_with_fractional_seconds_and_an_offset_is_read_as_that_instant() -> None:
    headers = {k: v for k, v in signed().items() if k != "authorization"}
    check(sign_by_hand({**headers, "x-icims-date": "2030-03-04T14:00:00.500+02:00"}), skew=1)


def test_upper_case_hex_in_the_signature_and_the_content_hash_is_accepted() -> None:
    headers = {k: v for k, v in signed().items() if k != "authorization"}
    headers = sign_by_hand({**headers, "x-icims-content-sha256": headers["x-icims-content-sha256"].upper()})
    given = headers["authorization"].rsplit("signature=", 1)
    check({**headers, "authorization": given[0] + "signature=" + given[1].upper()})
