"""Data at rest: the data directory (SQLite database, Qdrant folder, chat files, sandbox secrets) is readable by
the service user only: folders 0700, files 0600, set by the product whatever the umask it was started with."""

from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE_UMASK = 0o077
DIR_MODE = 0o700
FILE_MODE = 0o600


def secure_data_dir(data_dir: Path) -> Path:
    """Create `data_dir` private, make everything already in it private, and make later files private too."""
    os.umask(PRIVATE_UMASK)  # files created from now on (letters, chat files, Qdrant segments) start private
    data_dir.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    _private(data_dir)
    for root, dirs, files in os.walk(data_dir):
        for name in (*dirs, *files):
            _private(Path(root) / name)
    return data_dir


def _private(path: Path) -> None:
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode):
        return  # not ours to change (and chmod would follow it)
    wanted = DIR_MODE if stat.S_ISDIR(info.st_mode) else FILE_MODE
    if stat.S_IMODE(info.st_mode) & ~wanted:
        path.chmod(stat.S_IMODE(info.st_mode) & wanted)
