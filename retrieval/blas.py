"""Single-threaded BLAS while the encoder runs: it parallelises over batches itself.

OpenBLAS's own worker threads spin while they wait for work. On a small or busy machine they fight the encoder's
threads (and each other) for the same cores: measured on 2 loaded cores, 80 matrix products took 3.3 s with 2 BLAS
threads, 2.2 s with 1, and 1.55 s with 1 BLAS thread in each of 2 Python threads. The thread count is process-wide,
so nested and concurrent users share one limit: the first to enter sets it, the last to leave restores it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from threadpoolctl import ThreadpoolController

_lock = threading.Lock()
_users = 0
_saved: Any = None
_controller: ThreadpoolController | None = None


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    global _users, _saved, _controller
    with _lock:
        if _users == 0:
            if _controller is None:
                _controller = ThreadpoolController()
            blas = _controller.select(user_api="blas")
            _saved = [(lib, lib.num_threads) for lib in blas.lib_controllers]
            for lib, _ in _saved:
                lib.set_num_threads(1)
        _users += 1
    try:
        yield
    finally:
        with _lock:
            _users -= 1
            if _users == 0:
                for lib, threads in _saved or []:
                    lib.set_num_threads(threads)
                _saved = None
