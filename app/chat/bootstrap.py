"""Chainlit's configuration, generated from the settings before Chainlit is imported.

Importing Chainlit reads ``<CHAINLIT_APP_ROOT>/.chainlit/config.toml`` and keeps every chat session's files
(the candidate's letter PDF, cited passages) under ``<CHAINLIT_APP_ROOT>/.files``. The app root is therefore a
folder of the deployment's private data directory (``<data_dir>/chainlit``), never the code checkout: the
config file is written there from code on every start (so it never drifts and is not committed), and the
welcome screen `chainlit.md` (and any ``chainlit_<lang>.md``) and the project's `public/` folder (custom
elements) are copied there. The logo Chainlit shows (the full chat's and the careers widget's header) is the
company's: a wordmark of `company_name` written as ``public/logo_{light,dark}.svg``, unless the project's
`public/` holds a ``logo_light.*`` / ``logo_dark.*`` of its own.

If Chainlit was already imported in this process (tests set ``CHAINLIT_APP_ROOT`` first), the root stays as it
was and the values only known from the settings are applied to the loaded config object.
"""

from __future__ import annotations

import os
import shutil
import sys
from html import escape
from importlib.metadata import version
from pathlib import Path
from typing import Any

from app.chat.login_texts import write_login_texts
from app.config import PROJECT_ROOT, Settings

_SESSION_RESTORE_SECONDS = 600


def app_root(settings: Settings) -> Path:
    return (settings.data_dir / "chainlit").resolve()


def prepare_chainlit(settings: Settings) -> Path:
    """Point Chainlit at its app root, write its config, welcome screen and secrets; call before `import chainlit`."""
    os.environ.setdefault("CHAINLIT_APP_ROOT", str(app_root(settings)))
    os.environ["CHAINLIT_CUSTOM_AUTH"] = "true"  # login required; sign-in happens only through our link routes
    os.environ["CHAINLIT_AUTH_SECRET"] = settings.secret("security.chainlit_auth_secret")
    root = Path(os.environ["CHAINLIT_APP_ROOT"])
    write_config(root, settings)
    write_login_texts(root, _write_if_changed)
    copy_welcome_screens(root)
    copy_public_files(root, settings)
    if "chainlit.config" in sys.modules:
        apply_settings(settings)
    return root


def copy_welcome_screens(root: Path) -> None:
    """`chainlit.md` and its translations (`chainlit_<lang>.md`) from the project into the app root."""
    for source in PROJECT_ROOT.glob("chainlit*.md"):
        target = root / source.name
        if target.resolve() != source.resolve():
            _write_if_changed(target, source.read_text(encoding="utf-8"))


def copy_public_files(root: Path, settings: Settings) -> None:
    """The project's `public/` files into the app root's, and the company's wordmark as the logo."""
    source = PROJECT_ROOT / "public"
    target = root / "public"
    for path in sorted(source.rglob("*")) if source.is_dir() else []:
        if path.is_file():
            _write_bytes_if_changed(target / path.relative_to(source), path.read_bytes())
    for theme, colour in _WORDMARK_COLOURS.items():
        if not any(source.glob(f"logo_{theme}.*")):
            _write_if_changed(target / f"logo_{theme}.svg", wordmark_svg(settings.company_name, colour))


_WORDMARK_COLOURS = {"light": "#1f2937", "dark": "#f9fafb"}


def wordmark_svg(company_name: str, colour: str) -> str:
    """The company's name as an SVG logo (no font file: the browser's sans-serif)."""
    width = 4 + round(len(company_name) * 11.5)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="26" viewBox="0 0 {width} 26" '
        f'role="img" aria-label="{escape(company_name)}">'
        f'<text x="2" y="20" font-family="Helvetica, Arial, sans-serif" font-size="20" font-weight="600" '
        f'fill="{colour}">{escape(company_name)}</text></svg>\n'
    )


def write_config(root: Path, settings: Settings) -> Path:
    path = root / ".chainlit" / "config.toml"
    _write_if_changed(path, config_toml(settings))
    return path


def _write_if_changed(path: Path, text: str) -> None:
    _write_bytes_if_changed(path, text.encode("utf-8"))


def _write_bytes_if_changed(path: Path, data: bytes) -> None:
    if path.is_file() and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_bytes(data)
    temporary.replace(path)  # atomic: another process starting at the same time reads the old or the new file


def clear_session_files(settings: Settings) -> None:
    """Remove the chat sessions' files (letters, passages) when the app stops, as Chainlit's own shutdown does;
    only when they are inside this deployment's data directory."""
    from chainlit.config import FILES_DIRECTORY

    files = FILES_DIRECTORY.resolve()
    if files.is_dir() and files.is_relative_to(settings.data_dir.resolve()):
        shutil.rmtree(files, ignore_errors=True)


def config_toml(settings: Settings) -> str:
    values = _values(settings)
    origins = ", ".join(f'"{origin}"' for origin in values["allow_origins"])
    return f"""# Generated by app/chat/bootstrap.py from the offer assistant's settings on every start. Do not edit.
[project]
user_env = []
session_timeout = {_SESSION_RESTORE_SECONDS}
user_session_timeout = {values["user_session_timeout"]}
cache = false
allow_origins = [{origins}]

[features]
unsafe_allow_html = false
latex = false
user_message_markdown = false
edit_message = false
allow_thread_sharing = false
favorites = false

[features.spontaneous_file_upload]
enabled = false

[features.audio]
enabled = false

[features.mcp]
enabled = false

[UI]
name = "{_toml_text(values["name"])}"
description = "Questions about your offer, answered from your offer and our benefits documents."
default_theme = "light"
default_sidebar_state = "hidden"
cot = "hidden"
confirm_new_chat = false
custom_css = "/public/chat.css"

[meta]
generated_by = "{version("chainlit")}"
"""


def apply_settings(settings: Settings) -> None:
    """Set the settings-dependent values on Chainlit's loaded config object."""
    from chainlit.config import config

    values = _values(settings)
    config.ui.name = values["name"]
    config.project.user_session_timeout = values["user_session_timeout"]
    config.project.allow_origins[:] = values["allow_origins"]  # in place: the CORS middleware holds this list


def _values(settings: Settings) -> dict[str, Any]:
    return {
        "name": f"{settings.company_name} offer assistant",
        # A chat session (Chainlit's cookie) lives no longer than a candidate link does.
        "user_session_timeout": settings.security.link_ttl_hours * 3600,
        "allow_origins": sorted(settings.trusted_origins),
    }


def _toml_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')
