# mypy: disable-error-code="no-untyped-call"
# (Chainlit's API is not annotated: calls into it are untyped.)
"""Our versions of Chainlit's session routes, put in front of Chainlit's own (same paths, same answers to its UI):

- ``POST /login``: staff password sign-in, throttled per client and globally before any password is checked,
  argon2 bounded (`app.security.login`); the session gets the staff idle and absolute limits.
- ``POST /auth/jwt``: the widget's access token becomes the cookie as it is: never a fresh, longer token.
- ``POST /logout``: ends the session server-side, not only the cookie.
- ``POST /project/action``: an action body that is not a well-formed action gets a 400 that says so.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.chat.login_texts import WRONG_CREDENTIALS
from app.chat.runtime import current
from app.ratelimit import client_ip, too_many_requests_response
from app.security import sessions
from app.security.cookies import clear_session_cookies, set_session_cookie, token_from_cookies
from app.security.guard import credentials
from app.security.login import LoginBusyError, PasswordGate, throttle

_MAX_FIELD = 1024
_gates: dict[int, PasswordGate] = {}


def gate(limit: int) -> PasswordGate:
    """The process's password gate for `limit` concurrent checks."""
    return _gates.setdefault(limit, PasswordGate(limit))


def session_routes() -> list[Route]:
    return [
        Route("/login", staff_login, methods=["POST"], name="offer_assistant_login"),
        Route("/logout", logout, methods=["POST"], name="offer_assistant_logout"),
        Route("/auth/jwt", exchange_access_token, methods=["POST"], name="offer_assistant_jwt"),
        Route("/project/action", call_action, methods=["POST"], name="offer_assistant_action"),
    ]


def _refused(status: int, detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers={"Cache-Control": "no-store"})


async def staff_login(request: Request) -> Response:
    from app.review import auth, runtime

    chat = current()
    client = client_ip(request.scope)
    refusal = await throttle(chat.limiter, client)
    if refusal is not None:
        return too_many_requests_response(refusal, "Too many sign-in attempts. Please wait and try again.")
    form = await request.form(max_files=0, max_fields=8)
    username, password = str(form.get("username") or ""), str(form.get("password") or "")
    if not username or not password or len(username) > _MAX_FIELD or len(password) > _MAX_FIELD:
        return _refused(401, WRONG_CREDENTIALS)
    review = runtime.current()
    try:
        user = await gate(chat.settings.security.login_concurrency).run(
            lambda: auth.password_login(review, username, password, client)
        )
    except LoginBusyError:
        return _refused(503, "Sign-in is busy. Please try again in a moment.")
    if user is None:
        return _refused(401, WRONG_CREDENTIALS)
    expires = auth.staff_session_expiry(chat.settings).timestamp()
    token = sessions.mint(
        chat.settings, identifier=user.identifier, display_name=user.display_name, metadata=user.metadata,
        exp=int(expires),
    )  # fmt: skip
    response = JSONResponse({"success": True}, headers={"Cache-Control": "no-store"})
    set_session_cookie(chat.settings, response, token, expires)
    return response


async def logout(request: Request) -> Response:
    chat = current()
    token = token_from_cookies(request.cookies) or credentials(request.scope).bearer_token
    if token:
        sessions.sign_out(chat.settings, chat.db, token)
    response = JSONResponse({"success": True}, headers={"Cache-Control": "no-store"})
    clear_session_cookies(chat.settings, response, request.cookies.keys())
    return response


async def exchange_access_token(request: Request) -> Response:
    """The widget presents the token minted for it; the cookie carries that same token, for as long as it and its
    session last. (Chainlit's own route would re-issue it for `user_session_timeout`.)"""
    chat = current()
    token = credentials(request.scope).bearer_token  # the session guard removed it unless it is valid now
    if not token:
        return _refused(401, "Invalid token")
    try:
        claims = sessions.read(chat.settings, token)
    except sessions.SessionTokenError:
        return _refused(401, "Invalid token")
    check = sessions.authorised(chat.settings, chat.db, token)
    if not check.valid or check.expires_at is None:
        return _refused(401, "Invalid token")
    response = JSONResponse({"success": True}, headers={"Cache-Control": "no-store"})
    set_session_cookie(chat.settings, response, token, min(float(claims.exp), _timestamp(check.expires_at)))
    return response


def _timestamp(moment: datetime) -> float:
    return moment.timestamp()


_Text = Annotated[str, Field(max_length=2000)]


class ActionBody(BaseModel):
    """An action as Chainlit's UI sends it; anything else is refused before Chainlit builds an Action."""

    model_config = ConfigDict(extra="ignore")

    name: Annotated[str, Field(min_length=1, max_length=100)]
    payload: dict[str, Any] = Field(default_factory=dict)
    label: _Text = ""
    tooltip: _Text = ""
    icon: _Text | None = None
    forId: _Text | None = None  # noqa: N815 - Chainlit's field name
    id: _Text | None = None


class ActionRequest(BaseModel):
    action: ActionBody
    sessionId: Annotated[str, Field(min_length=1, max_length=200)]  # noqa: N815


async def call_action(request: Request) -> Response:
    from chainlit.auth import get_current_user
    from chainlit.server import call_action as chainlit_call_action
    from chainlit.session import WebsocketSession
    from chainlit.types import CallActionRequest

    try:
        body = ActionRequest.model_validate_json(await request.body())
    except ValidationError:
        return _refused(400, "This button's data is not valid. Please reload the page and try again.")
    if WebsocketSession.get_by_id(body.sessionId) is None:
        return _refused(404, "This chat session has ended. Please reload the page.")
    found = credentials(request.scope)
    user = await get_current_user(token=found.cookie_token or found.bearer_token or "")
    forwarded = CallActionRequest(action=body.action.model_dump(exclude_none=True), sessionId=body.sessionId)
    result: Response = await chainlit_call_action(payload=forwarded, current_user=user)
    return result
