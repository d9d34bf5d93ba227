# mypy: disable-error-code="no-untyped-call,untyped-decorator"
# (Chainlit's API is not annotated: calls into it and its decorators are untyped.)
"""A candidate coming back to their conversation (`app.chat.history`): Chainlit replays the stored thread, then the
link is re-checked and the recruiter's messages written since the last visit are shown (and kept in the thread).

Chainlit resumes a thread only for its author and we answer only the author's threads, so a resumed session is
always the candidate's own; a staff session has no stored threads to resume."""

from __future__ import annotations

import chainlit as cl
from chainlit.types import ThreadDict

from app.chat import handlers


@cl.on_chat_resume
async def on_chat_resume(thread: ThreadDict) -> None:
    del thread  # already shown by Chainlit; the identity comes from the signed session, never from the thread
    identity = await handlers._checked_identity()
    if identity is None:
        return
    cl.user_session.set(handlers._PENDING, {})  # buttons of an earlier visit are not answered any more
    await handlers._show_recruiter_messages(identity)
