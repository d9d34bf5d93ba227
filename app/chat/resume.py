# mypy: disable-error-code="no-untyped-call,untyped-decorator"
# (Chainlit's API is not annotated: calls into it and its decorators are untyped.)
"""A candidate coming back to their conversation (`app.chat.history`): the link is re-checked, and the recruiter's
messages written since the last visit join the stored thread Chainlit is about to show (and are kept in it).

Chainlit shows the resumed thread after this callback returns, replacing whatever was sent meanwhile; so new
messages are added to that thread (and stored), not sent. Chainlit resumes a thread only for its author and we
answer only the author's threads, so a resumed session is always the candidate's own; staff have no stored
threads to resume."""

from __future__ import annotations

import chainlit as cl
from chainlit.data import get_data_layer
from chainlit.types import ThreadDict

from app.chat import handlers


@cl.on_chat_resume
async def on_chat_resume(thread: ThreadDict) -> None:
    identity = await handlers._checked_identity()  # a revoked link or a closed offer ends the chat here
    if identity is None:
        return
    cl.user_session.set(handlers._PENDING, {})  # buttons of an earlier visit are not answered any more
    layer = get_data_layer()
    for message in await handlers.recruiter_messages(identity):
        step = message.to_dict()
        if layer is not None:
            await layer.create_step(step)
        thread["steps"].append(step)
