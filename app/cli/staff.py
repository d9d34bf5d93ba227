"""`offer-assistant staff …`: the first admin, staff users and their roles, the sandbox's demo staff."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Annotated, NoReturn

import typer
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.cli.context import settings_of
from app.config import ConfigError, Settings
from app.review.demo_staff import ensure_demo_staff
from offer_engine import staff
from offer_engine.actors import Actor, Role
from offer_engine.db import make_engine, session_scope
from offer_engine.errors import DomainError
from offer_engine.migrations import upgrade

RoleOption = Annotated[
    list[Role], typer.Option("--role", help="recruiter, hiring_manager, compensation, legal, admin.")
]
AsAdmin = Annotated[str, typer.Option("--as", help="Your admin user name (recorded in the audit trail).")]


def register(cli: typer.Typer) -> None:
    app = typer.Typer(help="Staff users: first admin, add, list, roles, demo credentials.", no_args_is_help=True)
    app.command("create-admin")(create_admin)
    app.command("add")(add)
    app.command("list")(list_staff)
    app.command("set-roles")(set_roles)
    app.command("set-email")(set_email)
    app.command("deactivate")(deactivate)
    app.command("demo")(demo)
    cli.add_typer(app, name="staff")


def _engine(settings: Settings) -> Engine:
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    return engine


def _fail(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(1)


def _read_password(from_stdin: bool, username: str) -> str:
    """From stdin (one line), or prompted twice without echo; strength-checked before anything is stored."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        staff.check_password_strength(password, username=username)
    except staff.WeakPasswordError as exc:
        _fail(str(exc))
    return password


def _admin(engine: Engine, username: str) -> Actor:
    with session_scope(engine) as session:
        user = staff.find_user(session, username)
        if user is None or not user.active or Role.ADMIN not in user.role_set:
            _fail(f"{username!r} is not an active admin")
        return user.actor()


def create_admin(
    ctx: typer.Context,
    username: Annotated[str, typer.Option("--username", help="The admin's user name.")],
    display_name: Annotated[str, typer.Option("--display-name")] = "",
    email: Annotated[str | None, typer.Option("--email", help="For sign-in through an identity provider.")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
) -> None:
    """Create the first admin (refused once an admin exists). The password is prompted, never a default."""
    engine = _engine(settings_of(ctx))
    password = _read_password(password_stdin, username)
    try:
        with session_scope(engine) as session:
            user = staff.create_first_admin(
                session, username=username, password=password, display_name=display_name, email=email
            )
            typer.echo(f"admin {user.username} created (id {user.id})")
    except DomainError as exc:
        _fail(f"cannot create the admin: {exc}")


def add(
    ctx: typer.Context,
    username: Annotated[str, typer.Option("--username")],
    role: RoleOption,
    as_admin: AsAdmin,
    display_name: Annotated[str, typer.Option("--display-name")] = "",
    email: Annotated[str | None, typer.Option("--email")] = None,
    icims_person_id: Annotated[
        int | None, typer.Option("--icims-person-id", help="For hiring managers: their iCIMS person id.")
    ] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin")] = False,
    no_password: Annotated[
        bool, typer.Option("--no-password", help="Sign-in through the identity provider only.")
    ] = False,
) -> None:
    """Add a staff user with one or more roles."""
    engine = _engine(settings_of(ctx))
    actor = _admin(engine, as_admin)
    password = None if no_password else _read_password(password_stdin, username)
    try:
        with session_scope(engine) as session:
            user = staff.create_user(
                session,
                username=username,
                display_name=display_name or username,
                roles=role,
                actor=actor,
                email=email,
                password=password,
                icims_person_id=icims_person_id,
            )
            typer.echo(f"{user.username} created (id {user.id}) with roles {', '.join(user.roles)}")
    except DomainError as exc:
        _fail(f"cannot add {username}: {exc}")


def list_staff(ctx: typer.Context) -> None:
    """Every staff user with roles, iCIMS person id, state and last sign-in."""
    with session_scope(_engine(settings_of(ctx))) as session:
        users = staff.list_users(session)
        if not users:
            typer.echo("no staff users yet: offer-assistant staff create-admin --username NAME")
        for user in users:
            last = f"{user.last_login_at:%Y-%m-%d %H:%M}" if user.last_login_at else "never"
            person = f" · iCIMS person {user.icims_person_id}" if user.icims_person_id else ""
            state = "active" if user.active else "INACTIVE"
            login = "password" if user.password_hash else "identity provider"
            typer.echo(
                f"{user.id:>4} {user.username:<24} {', '.join(user.roles):<30} {state} · {login}{person} · "
                f"last sign-in {last}"
            )


def set_roles(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument()],
    role: RoleOption,
    as_admin: AsAdmin,
) -> None:
    """Replace a user's roles (audited)."""

    def change(session: Session, user: staff.StaffUser, actor: Actor) -> str:
        staff.set_roles(session, user.id or 0, role, actor=actor)
        return f"{user.username}: {', '.join(user.roles)}"

    _change_user(ctx, username, as_admin, change)


def set_email(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument()],
    email: Annotated[str, typer.Argument(help="Where notifications go (and identity-provider sign-in matches).")],
    as_admin: AsAdmin,
) -> None:
    """Set a user's e-mail address (audited)."""

    def change(session: Session, user: staff.StaffUser, actor: Actor) -> str:
        staff.set_email(session, user.id or 0, email, actor=actor)
        return f"{user.username}: {user.email}"

    _change_user(ctx, username, as_admin, change)


def deactivate(ctx: typer.Context, username: Annotated[str, typer.Argument()], as_admin: AsAdmin) -> None:
    """Stop a user from signing in or acting (their open sessions are refused at the next action)."""

    def change(session: Session, user: staff.StaffUser, actor: Actor) -> str:
        staff.set_active(session, user.id or 0, False, actor=actor)
        return f"{user.username} deactivated"

    _change_user(ctx, username, as_admin, change)


def _change_user(
    ctx: typer.Context, username: str, as_admin: str, change: Callable[[Session, staff.StaffUser, Actor], str]
) -> None:
    """Apply an admin's `change` to the staff user `username` in one transaction and print its summary."""
    engine = _engine(settings_of(ctx))
    actor = _admin(engine, as_admin)
    try:
        with session_scope(engine) as session:
            user = staff.find_user(session, username)
            if user is None:
                _fail(f"no staff user named {username!r}")
            typer.echo(change(session, user, actor))
    except DomainError as exc:
        _fail(str(exc))


def demo(ctx: typer.Context) -> None:
    """Sandbox mode: create the demo staff (once) and print their sign-in names and passwords."""
    settings = settings_of(ctx)
    try:
        credentials = ensure_demo_staff(settings, _engine(settings))
    except ConfigError as exc:
        _fail(str(exc))
    typer.echo(f"demo staff (passwords generated once into {settings.data_dir / 'sandbox-secrets.json'}):")
    for cred in credentials:
        roles = ", ".join(r.value for r in cred.roles)
        typer.echo(f"  {cred.username:<22} {cred.password}  ({cred.display_name}; {roles})")
