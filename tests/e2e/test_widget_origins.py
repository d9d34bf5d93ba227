"""Issue 14, item 1 in a browser: the chat widget embedded on a careers site at another origin (127.0.0.1 on another
port) works when that origin is in `security.allowed_origins`, and gets no session from an origin that is not."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import httpx
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.e2e.conftest import ServedApp, free_port
from tests.e2e.test_candidate_chat import WAIT, _ask, _wait_for_text


def _careers_page(app_url: str, token: str) -> bytes:
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Careers elsewhere</title></head>
<body><h1>Careers at a site of our own</h1>
<script src="{app_url}/copilot/index.js"></script>
<script>
  window.addEventListener("load", function () {{
    window.mountChainlitWidget({{chainlitServer: "{app_url}", accessToken: "{token}", theme: "light"}});
  }});
</script></body></html>""".encode()


@contextmanager
def careers_site(port: int, page: bytes) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.shutdown()
        server.server_close()


def _widget_token(served_app: ServedApp) -> str:
    page = httpx.get(served_app.widget_link(), timeout=30).text
    found = re.search(r'"accessToken": "([^"]+)"', page)
    assert found is not None
    return found.group(1)


def _open_widget(browser: Any, url: str, wait: float) -> Any:
    browser.get(url)
    host = WebDriverWait(browser, wait).until(lambda d: d.find_element(By.CSS_SELECTOR, "#chainlit-copilot"))
    root = host.shadow_root
    WebDriverWait(browser, wait).until(lambda _: root.find_element(By.CSS_SELECTOR, "#chainlit-copilot-button")).click()
    return root


def test_the_widget_works_from_a_configured_careers_origin(served_app: ServedApp, browser: Any) -> None:
    port = urlsplit(served_app.careers_origin).port
    assert port is not None
    with careers_site(port, _careers_page(served_app.base_url, _widget_token(served_app))) as url:
        root = _open_widget(browser, url, WAIT)
        _wait_for_text(browser, root, "Senior Backend Engineer")
        _ask(browser, root, "How many RSUs am I getting?")
        assert "Sources:" in _wait_for_text(browser, root, "4,000")


def test_the_widget_gets_no_chat_from_an_origin_not_configured(served_app: ServedApp, browser: Any) -> None:
    with careers_site(free_port(), _careers_page(served_app.base_url, _widget_token(served_app))) as url:
        try:
            _wait_for_text(browser, _open_widget(browser, url, WAIT), "Senior Backend Engineer")
        except TimeoutException:
            return
        raise AssertionError("a careers page on an origin not in security.allowed_origins opened the chat")
