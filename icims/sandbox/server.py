"""Running a sandbox under uvicorn: in a background thread on a free port (tests), or in the foreground (CLI)."""

from __future__ import annotations

import threading
import time
from typing import Any

import uvicorn

from icims.sandbox.core import Sandbox


class ServerThread:
    """Any ASGI app served by uvicorn in a daemon thread; ``port=0`` picks a free port."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0) -> None:
        self._app = app
        self.host = host
        self.port = port
        self._server, self._thread = self._make(port)

    def _make(self, port: int) -> tuple[uvicorn.Server, threading.Thread]:
        config = uvicorn.Config(
            self._app,
            host=self.host,
            port=port,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
        server = uvicorn.Server(config)
        return server, threading.Thread(target=server.run, name="asgi-server", daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 15.0) -> ServerThread:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start on {self.host}:{self.port}")
            time.sleep(0.01)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def stop_listening(self) -> None:
        """Close the listener (new connections are refused, as with a host that is down); the app keeps its state
        and `listen_again()` serves it on the same port."""
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def listen_again(self, timeout: float = 15.0) -> ServerThread:
        """Serve the same app on the same port again after `stop_listening()`."""
        if self._thread.is_alive():
            return self
        self._server, self._thread = self._make(self.port)
        return ServerThread.start(self, timeout)

    @property
    def listening(self) -> bool:
        return self._thread.is_alive() and self._server.started and not self._server.should_exit

    def __enter__(self) -> ServerThread:
        return self if self._thread.is_alive() else self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class RunningSandbox(ServerThread):
    """A sandbox served on ``base_url`` until ``stop()`` (or the end of a ``with`` block)."""

    def __init__(self, sandbox: Sandbox, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(sandbox.app, host, port)
        self.sandbox = sandbox

    def start(self, timeout: float = 15.0) -> RunningSandbox:
        super().start(timeout)
        self.sandbox.base_url = self.base_url
        return self

    def stop(self) -> None:
        super().stop()
        self.sandbox.close()

    def __enter__(self) -> RunningSandbox:
        return self if self._thread.is_alive() else self.start()


def serve_in_thread(sandbox: Sandbox, host: str = "127.0.0.1", port: int = 0) -> RunningSandbox:
    """Start serving now (``port=0`` picks a free port); call ``stop()`` when done."""
    return RunningSandbox(sandbox, host, port).start()


def serve_forever(sandbox: Sandbox, host: str, port: int) -> None:
    """Serve in the foreground until interrupted (Ctrl-C)."""
    sandbox.base_url = f"http://{host}:{port}"
    try:
        uvicorn.run(sandbox.app, host=host, port=port, log_level="info", lifespan="off")
    finally:
        sandbox.close()
