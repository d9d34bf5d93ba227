"""End-to-end fixtures: `offer-assistant serve` as a real process on free ports with its own data directory and
in-process sandbox, and a headless Debian Chromium driven by Selenium (never a downloaded browser or driver).

A failing test leaves a screenshot in build/e2e-screenshots/.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.config import DEMO_CONFIG, DEMO_DIR, PROJECT_ROOT, Settings, load_settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SCREENSHOTS = PROJECT_ROOT / "build" / "e2e-screenshots"
START_TIMEOUT = 300.0  # the first start indexes the benefits documents with the bundled model on CPU
# Until app/cli/__init__.py imports the chat commands, register them for the child process.
LAUNCH = (
    "from app.cli import cli\n"
    "from app.cli import chat\n"
    "if not any(c.name == 'serve' for c in cli.registered_commands):\n"
    "    chat.register(cli)\n"
    "cli()\n"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ServedApp:
    base_url: str
    settings: Settings
    process: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)
    careers_origin: str = ""  # another origin on loopback, configured in security.allowed_origins

    def link(self, candidate: str) -> str:
        for line in self.output:
            if line.strip().startswith(candidate) and "/auth/portal?token=" in line:
                return line.rsplit(": ", 1)[1].strip()
        raise AssertionError(f"serve printed no portal link for {candidate}:\n" + "\n".join(self.output))

    def widget_link(self) -> str:
        for line in self.output:
            if "Careers page with the chat widget" in line:
                return line.rsplit(": ", 1)[1].strip()
        raise AssertionError("serve printed no careers-widget link:\n" + "\n".join(self.output))


STAFF_OFFICE_LOGIN = "rate_limits = { login = { capacity = 60, per_minute = 60 } }\n"


def _config(folder: Path, port: int, sandbox_port: int, careers_origin: str = "") -> Path:
    text = DEMO_CONFIG.read_text(encoding="utf-8")
    replacements = {
        # Every browser test signs staff in from 127.0.0.1, like an office behind one address.
        r"\[security\]\n": f'[security]\nallowed_origins = ["{careers_origin}"]\n{STAFF_OFFICE_LOGIN}'
        if careers_origin
        else f"[security]\n{STAFF_OFFICE_LOGIN}",
        r'public_url = ".*"': f'public_url = "http://127.0.0.1:{port}"',
        r'data_dir = ".*"': f'data_dir = "{folder / "data"}"',
        r'benefits_dir = ".*"': f'benefits_dir = "{DEMO_DIR / "benefits"}"',
        r'policy_file = ".*"': f'policy_file = "{DEMO_DIR / "policy.toml"}"',
        r'fixture = ".*"': f'fixture = "{DEMO_DIR / "icims-fixture.json"}"',
        r"port = 8081": f"port = {sandbox_port}",
    }
    for pattern, value in replacements.items():
        text, count = re.subn(pattern, value, text, count=1)
        assert count == 1, pattern
    path = folder / "offer-assistant.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def served_app() -> Iterator[ServedApp]:
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.fail("Debian chromium and chromedriver are required at /usr/bin (scripts/setup.sh installs them)")
    folder = Path(tempfile.mkdtemp(prefix="offer-assistant-e2e-"))
    port, sandbox_port, careers_port = free_port(), free_port(), free_port()
    careers_origin = f"http://127.0.0.1:{careers_port}"
    config = _config(folder, port, sandbox_port, careers_origin)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}
    env["OFFER_ASSISTANT_NOTIFICATIONS__SANDBOX_SMTP_PORT"] = str(free_port())  # not 8025: other runs may hold it
    process = subprocess.Popen(
        [sys.executable, "-c", LAUNCH, "--config", str(config), "serve"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    served = ServedApp(f"http://127.0.0.1:{port}", load_settings(config), process, careers_origin=careers_origin)
    reader = threading.Thread(target=lambda: served.output.extend(process.stdout or []), daemon=True)
    reader.start()
    try:
        _wait_until_up(served)
        yield served
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def _wait_until_up(served: ServedApp) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if served.process.poll() is not None:
            pytest.fail("serve exited early:\n" + "".join(served.output))
        try:
            if httpx.get(f"{served.base_url}/health", timeout=2).status_code == 200 and any(
                "Chat app:" in line for line in served.output
            ):
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    pytest.fail(f"serve did not answer on {served.base_url} within {START_TIMEOUT}s:\n" + "".join(served.output))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.when == "call":
        item.stash[_FAILED] = report.failed


_FAILED = pytest.StashKey[bool]()


@pytest.fixture
def browser(request: pytest.FixtureRequest) -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
    ):
        options.add_argument(argument)
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)  # explicit: no Selenium Manager
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        if request.node.stash.get(_FAILED, False):
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            driver.save_screenshot(str(SCREENSHOTS / f"{request.node.name}.png"))
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def element_after_navigation(driver: Any, by: str, value: str, wait: float = 60) -> Any:
    """The element once it is there, waiting through a page that is still navigating (a redirect to sign-in
    aborts a lookup with a WebDriverException of its own, not with NoSuchElementException)."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, wait, ignored_exceptions=(WebDriverException,)).until(
        lambda d: d.find_element(by, value)
    )
