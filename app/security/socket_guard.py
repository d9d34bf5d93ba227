"""Every Socket.IO event (not only the handshake) re-checks the session it came from: a session signed out,
expired or idle since the socket connected gets disconnected instead of an answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import anyio.to_thread
from sqlalchemy.engine import Engine

from app.config import Settings
from app.security import sessions

_UNCHECKED = frozenset({"connect", "disconnect"})
_MARK = "_offer_assistant_guarded"


def guard_socket_events(runtime: Callable[[], tuple[Settings, Engine]]) -> int:
    """Wrap Chainlit's socket event handlers (idempotent); returns how many were wrapped now."""
    from chainlit.server import sio

    handlers: dict[str, Any] = sio.handlers.setdefault("/", {})
    wrapped = 0
    for event, handler in list(handlers.items()):
        if event in _UNCHECKED or getattr(handler, _MARK, False):
            continue
        handlers[event] = _guarded(handler, runtime)
        wrapped += 1
    return wrapped


async def session_allows(socket_id: str, runtime: Callable[[], tuple[Settings, Engine]]) -> bool:
    """Whether the socket's session may still act (a socket without a token is Chainlit's to refuse)."""
    from chainlit.session import WebsocketSession

    session = WebsocketSession.get(socket_id)
    token = getattr(session, "token", None) if session is not None else None
    if not token:
        return session is None
    settings, db = runtime()
    check = await anyio.to_thread.run_sync(sessions.authorised, settings, db, str(token))
    return check.valid


def _guarded(
    handler: Callable[..., Awaitable[Any]], runtime: Callable[[], tuple[Settings, Engine]]
) -> Callable[..., Awaitable[Any]]:
    async def checked(sid: str, *args: Any) -> Any:
        from chainlit.server import sio

        if not await session_allows(sid, runtime):
            await sio.disconnect(sid)
            return None
        return await handler(sid, *args)

    setattr(checked, _MARK, True)
    return checked
