"""The staff sign-in page's words: Chainlit's login form says "Email address" (`me@example.com`) and shows a
refused sign-in as "Unable to sign in"; staff sign in with a username, and a refusal should say why.

Chainlit reads a language's texts from ``<app root>/.chainlit/translations/<language>.json`` as a whole file
(no merging with its own), so the file is Chainlit's English translation with our sign-in texts laid over it,
rewritten on every start (a Chainlit upgrade brings its new keys along). Chainlit is not imported here: this
runs before it is.
"""

from __future__ import annotations

import json
from importlib.util import find_spec
from pathlib import Path
from typing import Any

WRONG_CREDENTIALS = "Wrong username or password. Check both and try again."
SIGN_IN_TEXTS: dict[str, Any] = {
    "title": "Staff sign-in",
    "form": {
        "email": {
            "label": "Username",
            "required": "Enter your username",
            "placeholder": "your staff username",
        },
        "password": {"label": "Password", "required": "Enter your password"},
        "actions": {"signin": "Sign in"},
    },
    # The form shows the text of the refused request's HTTP status ("Unauthorized"), looked up in lower case.
    "errors": {
        "unauthorized": WRONG_CREDENTIALS,
        "credentialssignin": WRONG_CREDENTIALS,
        "too many requests": "Too many sign-in attempts. Please wait a minute and try again.",
        "service unavailable": "Sign-in is busy. Please try again in a moment.",
    },
}
ENGLISH = ("en-US", "en-GB", "en")


def chainlit_translations() -> Path | None:
    spec = find_spec("chainlit")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "translations"


def _overlaid(base: dict[str, Any], texts: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in texts.items():
        merged[key] = _overlaid(base.get(key) or {}, value) if isinstance(value, dict) else value
    return merged


def write_login_texts(root: Path, write: Any) -> None:
    """Write the English translations with the sign-in texts (`write(path, text)` writes only on change)."""
    source = chainlit_translations()
    if source is None or not (source / "en-US.json").is_file():
        return
    base = json.loads((source / "en-US.json").read_text(encoding="utf-8"))
    translation = _overlaid(base, {"auth": {"login": SIGN_IN_TEXTS}})
    text = json.dumps(translation, ensure_ascii=False, indent=2)
    for language in ENGLISH:
        write(root / ".chainlit" / "translations" / f"{language}.json", text)
