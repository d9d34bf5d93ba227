from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from app.config import ConfigError, load_settings, secret_problem
from app.ratelimit import DEFAULT_LIMITS

GOOD = "Zq8vN3kLw2pR7tYc5xHs9bMd4gFj6aEu"


def test_embedded_demo_runs_in_sandbox_mode_and_generates_secrets(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path)
    assert settings.sandbox_mode
    key = settings.secret("security.link_signing_key")
    assert len(key) >= 32
    assert settings.secret("security.link_signing_key") == key, "sandbox secrets persist"
    assert settings.secret("icims.webhook.hmac_secret") != key


@pytest.mark.parametrize(
    "value", ["changeme", "<your-secret-here>", "password1234567890", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "short"]
)
def test_placeholder_secrets_are_recognised(value: str) -> None:
    assert secret_problem(SecretStr(value), 16) is not None


def test_production_refuses_missing_and_placeholder_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OFFER_ASSISTANT_ICIMS__BASE_URL", "https://api.icims.com")
    monkeypatch.setenv("OFFER_ASSISTANT_ICIMS__CLIENT_SECRET", "changeme")
    with pytest.raises(ConfigError) as info:
        load_settings()
    message = str(info.value)
    assert "icims.client_secret: looks like a placeholder" in message
    assert "security.link_signing_key: missing" in message


def test_production_starts_with_real_secrets(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name, value in {
        "ICIMS__BASE_URL": "https://api.icims.com",
        "ICIMS__CLIENT_SECRET": GOOD,
        "ICIMS__WEBHOOK__HMAC_SECRET": GOOD[::-1],
        "SECURITY__LINK_SIGNING_KEY": GOOD + "1",
        "SECURITY__CHAINLIT_AUTH_SECRET": GOOD + "2",
    }.items():
        monkeypatch.setenv(f"OFFER_ASSISTANT_{name}", value)
    settings = load_settings(data_dir=tmp_path)
    assert not settings.sandbox_mode
    assert settings.secret("icims.webhook.hmac_secret") == GOOD[::-1]
    monkeypatch.delenv("OFFER_ASSISTANT_ICIMS__WEBHOOK__HMAC_SECRET")
    with pytest.raises(ConfigError, match="hmac_secret: missing"):
        load_settings(data_dir=tmp_path)


def test_config_file_paths_are_relative_to_the_file(tmp_path: Path) -> None:
    config = tmp_path / "conf" / "tenant.toml"
    config.parent.mkdir()
    config.write_text(
        'benefits_dir = "docs"\n[sandbox]\nfixture = "fx.json"\n[tenant.terms]\nbase_salary = "job.field1"\n'
    )
    settings = load_settings(config)
    assert settings.benefits_dir == (config.parent / "docs").resolve()
    assert settings.sandbox.fixture == (config.parent / "fx.json").resolve()
    assert str(settings.tenant.terms["base_salary"][0]) == "job.field1"


def test_environment_overrides_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OFFER_ASSISTANT_ICIMS__CUSTOMER_ID", "777")
    assert load_settings().icims.customer_id == 777


def test_bad_config_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(missing)
    bad = tmp_path / "bad.toml"
    bad.write_text('[tenant.terms]\nbase_salary = "nowhere.field1"\n')
    with pytest.raises(ConfigError, match="field reference"):
        load_settings(bad)
    typo = tmp_path / "typo.toml"
    typo.write_text("databse_url = 'sqlite://'\n")
    with pytest.raises(ConfigError, match="databse_url"):
        load_settings(typo)


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        ('ote = "applicantworkflow.field1"\n', "tenant.terms.ote: 'ote' is not a built-in term"),
        ('[tenant.terms.ote]\nsource = "applicantworkflow.field1"\ntype = "moneyy"\n', "tenant.terms.ote.type"),
        ('[tenant.terms.shift]\nsource = "applicantworkflow.field1"\ntype = "money_rate"\n', "needs `basis`"),
        ('[tenant.terms.base_salary]\nsource = "applicantworkflow.field1"\nvaluez = {}\n', "valuez"),
    ],
)
def test_a_wrong_term_declaration_stops_start_up_naming_the_key(tmp_path: Path, terms: str, message: str) -> None:
    config = tmp_path / "offer-assistant.toml"
    header = "" if terms.startswith("[") else "[tenant.terms]\n"
    config.write_text(header + terms, encoding="utf-8")
    with pytest.raises(ConfigError, match=message.replace("`", ".")):
        load_settings(config, data_dir=tmp_path)


def test_a_long_random_key_is_never_refused_for_a_marker_inside_it() -> None:
    key = "Qm7tXxx" + "p4Rw9zKd2LvN8cHy6BfJ3sGa5TeU1oWi"  # 39 characters, "xxx" by chance
    assert secret_problem(SecretStr(key), 32) is None
    assert secret_problem(SecretStr("xxx-my-signing-key-xxx"), 16) == "looks like a placeholder"


def test_history_retention_is_days_and_a_wrong_value_is_named(tmp_path: Path) -> None:
    kept = tmp_path / "kept.toml"
    kept.write_text("[chat]\nhistory_retention_days = 30\n")
    assert load_settings(kept).chat.history_retention.days == 30
    for value in ("0", "-5", '"forever"'):
        bad = tmp_path / "bad.toml"
        bad.write_text(f"[chat]\nhistory_retention_days = {value}\n")
        with pytest.raises(ConfigError, match="history_retention_days"):
            load_settings(bad)


def test_a_rate_limit_can_be_replaced_by_configuration_and_an_unknown_kind_is_named(tmp_path: Path) -> None:
    office = tmp_path / "office.toml"
    office.write_text("[security]\nrate_limits = { login = { capacity = 40, per_minute = 30 } }\n")
    limits = load_settings(office).security.limits
    assert (limits["login"].capacity, limits["login"].per_minute) == (40, 30)
    assert limits["chat"] == DEFAULT_LIMITS["chat"]  # the others stay built in
    for table in ("{ logins = { capacity = 1, per_minute = 1 } }", "{ login = { capacity = 0, per_minute = 1 } }"):
        bad = tmp_path / "bad.toml"
        bad.write_text(f"[security]\nrate_limits = {table}\n")
        with pytest.raises(ConfigError, match="rate_limits"):
            load_settings(bad)
