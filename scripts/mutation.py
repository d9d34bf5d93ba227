"""Mutation testing of the security- and money-critical modules with cosmic-ray; prints the kill rate per module.

    scripts/mutation.sh                      # every module below
    scripts/mutation.sh app/links.py         # only these
    scripts/mutation.sh --list               # the modules and the tests that guard each

Each module is mutated in a scratch copy of the tracked files (never the working tree), and each mutant is run
against the module's own tests (SQLite only, first failure stops), so a run takes minutes per module, not hours.
A mutant that survives is either killed by a new test or written down in docs/mutation-testing.md as equivalent,
with the reason. Needs cosmic-ray (``pip install cosmic-ray==8.7.0``, in the ``dev`` extra).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Target:
    module: str
    tests: tuple[str, ...]
    timeout: float = 120.0


TARGETS = (
    Target("app/links.py", ("tests/app/test_links.py",)),
    Target("app/chat/signin.py", ("tests/app/chat/test_signin.py", "tests/app/chat/test_web.py")),
    Target("offer_engine/access.py", ("tests/offer_engine/test_access.py", "tests/app/chat/test_signin.py")),
    Target("app/review/auth.py", ("tests/app/review/test_auth.py",)),
    Target("icims/webhooks/signing.py", ("tests/icims/test_webhooks.py", "tests/app/test_webhooks.py")),
    Target("offer_engine/outbox.py", ("tests/offer_engine/test_outbox.py",)),
    Target("offer_engine/delivery.py", ("tests/offer_engine/test_outbox.py",)),
    Target("offer_engine/audit.py", ("tests/offer_engine/test_audit.py",)),
    Target("app/ai/guard.py", ("tests/app/ai/test_guard.py",)),
    Target("app/ai/masking.py", ("tests/app/ai/test_masking.py",)),
    Target("app/ratelimit.py", ("tests/app/test_ratelimit.py",)),
    Target("app/security/origins.py", ("tests/app/chat/test_hardening_probes.py",), 300.0),
    Target("app/security/sessions.py", ("tests/app/chat/test_hardening_probes.py",), 300.0),
    Target("offer_engine/web_sessions.py", ("tests/app/chat/test_hardening_probes.py",), 300.0),
    Target("app/security/text.py", ("tests/app/chat/test_hardening_data.py",)),
)


@dataclass(frozen=True)
class Outcome:
    module: str
    mutants: int
    killed: int
    survived: list[str]
    seconds: float

    @property
    def kill_rate(self) -> float:
        return 100.0 * self.killed / self.mutants if self.mutants else 100.0


def scratch_copy() -> Path:
    """The tracked files (as they are in the working tree) in a temporary folder."""
    folder = Path(tempfile.mkdtemp(prefix="mutation-"))
    git = ["git", "ls-files", "-z"]
    listed = subprocess.run(git, cwd=ROOT, capture_output=True, check=True).stdout  # noqa: S603 - git itself
    for name in filter(None, listed.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return folder


def config_for(target: Target, python: str) -> str:
    tests = " ".join(target.tests)
    command = f"{python} -m pytest -x -q -p no:cacheprovider -m 'not postgres' {tests}"
    return f"""[cosmic-ray]
module-path = "{target.module}"
timeout = {target.timeout}
excluded-modules = []
test-command = "{command}"

[cosmic-ray.distributor]
name = "local"
"""


SESSIONS = ROOT / "build" / "mutation"  # one cosmic-ray session per module: kept, so `--report` can reprint it


def session_of(target: Target) -> Path:
    return SESSIONS / (target.module.replace("/", "_") + ".sqlite")


def run(target: Target, copy: Path, cosmic_ray: list[str], python: str) -> Outcome:
    started = time.monotonic()
    SESSIONS.mkdir(parents=True, exist_ok=True)
    session = session_of(target)
    config = session.with_suffix(".toml")
    config.write_text(config_for(target, python))
    env = {**os.environ, "PYTHONPATH": str(copy), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    session.unlink(missing_ok=True)
    for step in ("init", "exec"):  # cosmic-ray from this environment, on files we wrote
        command = [*cosmic_ray, step, str(config), str(session)]
        subprocess.run(command, cwd=copy, env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
    return outcome(target.module, session, time.monotonic() - started)


def outcome(module: str, session: Path, seconds: float) -> Outcome:
    with sqlite3.connect(session) as db:
        rows = db.execute(
            "SELECT m.operator_name, m.occurrence, m.start_pos_row, r.test_outcome FROM mutation_specs m "
            "JOIN work_results r ON r.job_id = m.job_id"
        ).fetchall()
    survived = [f"{op} #{occurrence} (line {line})" for op, occurrence, line, result in rows if result == "SURVIVED"]
    killed = sum(1 for *_, result in rows if result == "KILLED")
    return Outcome(module, killed + len(survived), killed, survived, seconds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("modules", nargs="*", help="modules to mutate (default: all listed)")
    parser.add_argument("--list", action="store_true", help="list the modules and their tests")
    parser.add_argument("--show-survivors", action="store_true", help="name every surviving mutant")
    parser.add_argument("--report", action="store_true", help="reprint the kept results of earlier runs")
    args = parser.parse_args()
    targets = [t for t in TARGETS if not args.modules or t.module in args.modules]
    if args.list or not targets:
        for t in TARGETS:
            print(f"{t.module:34} {' '.join(t.tests)}")
        return 0 if args.list else 2
    if args.report:
        print(HEADER)
        for target in targets:
            if session_of(target).exists():
                show(outcome(target.module, session_of(target), 0.0), args.show_survivors)
        return 0
    cosmic_ray = [shutil.which("cosmic-ray") or str(Path(sys.executable).parent / "cosmic-ray")]
    copy = scratch_copy()
    print(HEADER, flush=True)
    try:
        for target in targets:
            show(run(target, copy, cosmic_ray, sys.executable), args.show_survivors)
    finally:
        shutil.rmtree(copy, ignore_errors=True)
    return 0


HEADER = f"{'module':34} {'mutants':>7} {'killed':>6} {'kill rate':>9} {'time':>7}"


def show(result: Outcome, survivors: bool) -> None:
    print(
        f"{result.module:34} {result.mutants:7d} {result.killed:6d} {result.kill_rate:8.1f}% {result.seconds:6.0f}s",
        flush=True,
    )
    for survivor in result.survived if survivors else []:
        print(f"    survived: {survivor}", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
