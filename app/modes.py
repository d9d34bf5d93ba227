"""Wires the recruiters' review mode into the chat app: staff sessions go to `app.review`, candidates to `app.chat`."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import chainlit as cl
from sqlalchemy.engine import Engine

from app.chat.history import leave_unrecorded
from app.config import Settings


class ReviewMode:
    """The `OtherMode` the candidate handlers dispatch staff sessions to; anyone else is told to use their link."""

    def accepts(self, user: Any) -> bool:
        from app.review.auth import is_staff_session

        return is_staff_session(user)

    async def start(self, user: Any) -> None:
        from app.review.handlers import start_review

        leave_unrecorded()  # review sessions are not kept (app.chat.history)
        await start_review(user)

    async def on_message(self, message: cl.Message, user: Any) -> None:
        from app.review.handlers import on_review_message

        await on_review_message(message, user)


def install_review_mode(settings: Settings, engine: Engine, *, wake_worker: Callable[[], None] | None = None) -> None:
    """Register staff sign-in and the review handlers, and send staff sessions to them."""
    from app.chat.handlers import dispatch_others_to
    from app.review import runtime

    importlib.import_module("app.review.auth")  # registers the password (and OAuth) sign-in callbacks
    importlib.import_module("app.review.handlers")  # registers the review action callbacks
    importlib.import_module("app.review.threads")  # the candidate's conversation, from an offer
    runtime.configure(settings, engine, wake_worker=wake_worker)
    dispatch_others_to(ReviewMode())


@cl.set_chat_profiles
async def _profiles(current_user: cl.User | None = None, language: str | None = None) -> list[cl.ChatProfile]:
    """Staff see the review profile; for candidates the empty list hides the profile selector."""
    del language
    from app.review.handlers import review_profiles

    return review_profiles(current_user) or []
