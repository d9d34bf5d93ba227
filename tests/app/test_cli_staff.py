"""`offer-assistant staff …` and `offer-assistant analytics`: no default password, roles by admins, demo staff."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
import typer
from pydantic import SecretStr
from typer.testing import CliRunner, Result

from app.cli import analytics as analytics_commands
from app.cli import staff as staff_commands
from app.cli.context import CliState
from app.config import Settings
from offer_engine import staff
from offer_engine.db import make_engine, session_scope

STRONG = "Sturdy-Passphrase-42"
Run = Callable[..., Result]


def runner_for(settings: Settings) -> Run:
    app = typer.Typer()

    @app.callback()
    def _root(ctx: typer.Context) -> None:
        ctx.obj = CliState(settings=settings)

    staff_commands.register(app)
    analytics_commands.register(app)

    def run(*args: str, stdin: str | None = None) -> Result:
        return CliRunner().invoke(app, list(args), input=stdin)

    return run


@pytest.fixture
def run(settings: Settings) -> Run:
    return runner_for(settings)


def test_the_first_admin_needs_a_strong_password_and_exists_once(run: Run, settings: Settings) -> None:
    weak = run("staff", "create-admin", "--username", "ada", "--password-stdin", stdin="password\n")
    assert weak.exit_code == 1
    assert "needs" in weak.output
    made = run("staff", "create-admin", "--username", "ada", "--password-stdin", stdin=f"{STRONG}\n")
    assert made.exit_code == 0, made.output
    again = run("staff", "create-admin", "--username", "eve", "--password-stdin", stdin=f"{STRONG}\n")
    assert again.exit_code == 1
    assert "already exists" in again.output
    with session_scope(make_engine(settings.resolved_database_url)) as session:
        user = staff.authenticate(session, "ada", STRONG)
        assert user is not None
        assert user.roles == ["admin"]


def test_admins_add_users_with_roles_and_list_them(run: Run) -> None:
    run("staff", "create-admin", "--username", "ada", "--password-stdin", stdin=f"{STRONG}\n")
    added = run(
        "staff",
        "add",
        "--as",
        "ada",
        "--username",
        "grace",
        "--role",
        "hiring_manager",
        "--icims-person-id",
        "1301",
        "--password-stdin",
        stdin="Another-Good-Pass-7\n",
    )
    assert added.exit_code == 0, added.output
    sso = run(
        "staff",
        "add",
        "--as",
        "ada",
        "--username",
        "carl",
        "--role",
        "compensation",
        "--email",
        "carl@corvid.example",
        "--no-password",
    )
    assert sso.exit_code == 0, sso.output
    refused = run("staff", "add", "--as", "grace", "--username", "mallory", "--role", "admin", "--no-password")
    assert refused.exit_code == 1
    assert "not an active admin" in refused.output
    listed = run("staff", "list").output
    assert "grace" in listed
    assert "iCIMS person 1301" in listed
    assert "identity provider" in listed
    assert "mallory" not in listed
    changed = run("staff", "set-roles", "grace", "--role", "hiring_manager", "--role", "recruiter", "--as", "ada")
    assert "hiring_manager, recruiter" in changed.output
    emailed = run("staff", "set-email", "grace", "Grace.Liu@Corvid.example", "--as", "ada")
    assert "grace: grace.liu@corvid.example" in emailed.output
    not_an_address = run("staff", "set-email", "grace", "grace at corvid", "--as", "ada")
    assert not_an_address.exit_code == 1
    assert "not an e-mail address" in not_an_address.output


def test_demo_staff_exist_only_in_sandbox_mode_with_generated_passwords(run: Run, settings: Settings) -> None:
    first = run("staff", "demo")
    assert first.exit_code == 0, first.output
    assert "grace.liu" in first.output
    assert "alex.rivera" in first.output
    secrets = json.loads((settings.data_dir / "sandbox-secrets.json").read_text())
    password = secrets["staff.grace.liu.password"]
    assert password in first.output
    assert run("staff", "demo").output == first.output  # generated once, same on every run
    with session_scope(make_engine(settings.resolved_database_url)) as session:
        grace = staff.authenticate(session, "grace.liu", password)
        assert grace is not None
        assert (grace.roles, grace.icims_person_id) == (["hiring_manager"], 1301)
    hook = settings.icims.webhook.model_copy(update={"hmac_secret": SecretStr("h" * 8 + "-hmac-secret-value")})
    live = settings.model_copy(
        update={"icims": settings.icims.model_copy(update={"base_url": "https://api.icims.com", "webhook": hook})}
    )
    outside = runner_for(live)("staff", "demo")
    assert outside.exit_code == 1
    assert "only in sandbox mode" in outside.output


def test_analytics_prints_tables_or_json(run: Run) -> None:
    text = run("analytics")
    assert text.exit_code == 0, text.output
    assert "Offer analytics (0 offers)" in text.output
    data = json.loads(run("analytics", "--json").output)
    assert data["offers"] == 0
    assert data["acceptance_rate"]["value"] is None
    assert run("analytics", "--since", "yesterday").exit_code == 2
