"""Mutation testing of the security- and money-critical modules with cosmic-ray; prints the kill rate per module.

    scripts/mutation.sh --list                     # the modules, the tests that guard each, the functions in scope
    scripts/mutation.sh icims/webhooks/signing.py  # run these modules (one at a time, at low priority)
    scripts/mutation.sh --recheck MODULE           # after new tests: re-run only the stored survivors
    scripts/mutation.sh --report                   # the kill rate per module from the stored results
    scripts/mutation.sh --report --show-survivors  # ... with every survivor, its mutated line and its reason

Each module is mutated in a scratch copy of the tracked files (never the working tree), and each mutant is run
against the module's own tests (SQLite only, first failure stops, a per-mutant timeout), so a run takes minutes per
module, not hours. Mutants inside function signatures' annotations are skipped and counted as equivalent: every
listed module has ``from __future__ import annotations``, so those annotations are never evaluated. A large module
may be restricted to its security-relevant functions (``functions`` below); mutants elsewhere are not counted.

The results of each run are stored in scripts/mutation-results.json (tracked, so ``--report`` works in any
checkout); a survivor is explained by an entry in docs/mutation.md (a table row naming the module, the survivor
exactly as printed here, and the reason it is equivalent). ``--report`` exits 1 when a survivor is unexplained.
Needs cosmic-ray (``pip install cosmic-ray==8.7.0``, in the ``dev`` extra).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "scripts" / "mutation-results.json"
EXPLANATIONS = ROOT / "docs" / "mutation.md"
SESSIONS = ROOT / "build" / "mutation"  # cosmic-ray's own session databases (untracked, for digging in)


@dataclass(frozen=True)
class Target:
    module: str
    tests: tuple[str, ...]  # the fastest first: with -x a killed mutant stops at the first failing test
    timeout: float = 60.0  # per mutant; a mutant that hangs the tests (an endless retry loop) counts as killed
    functions: tuple[str, ...] = ()  # empty: the whole module; else only these (``Class.method`` for a method)


TARGETS = (
    Target(
        "icims/webhooks/signing.py",
        ("tests/icims/test_webhook_signing_mutants.py", "tests/icims/test_webhooks.py", "tests/app/test_webhooks.py"),
    ),
    Target("app/links.py", ("tests/app/test_links.py",)),
    Target(  # the hash chain itself; the table definitions are the migration's and its tests' business
        "offer_engine/audit.py",
        ("tests/offer_engine/test_audit_mutants.py", "tests/offer_engine/test_audit.py"),
        functions=(
            "_jsonable",
            "canonical_json",
            "sha256_of",
            "event_hash",
            "record",
            "_locked_head",
            "verify_chain",
            "_check_event",
            "_check_head",
        ),
    ),
    Target(  # the grounding checks: which figures, dates and names the grounding holds, and the verdict
        "app/ai/guard.py",
        ("tests/app/ai/test_guard.py",),
        functions=(
            "Grounding._add_claim",
            "Grounding.supports",
            "Grounding._supports_money",
            "Grounding._supports_date",
            "extract_claims",
            "_unknown_people",
            "check",
        ),
    ),
    Target(  # the limiter's decision and whose key it is; not the response formatting or pruning
        "app/ratelimit.py",
        ("tests/app/test_ratelimit.py",),
        functions=(
            "Decision.retry_after_header",
            "MemoryBuckets.take",
            "MemoryBuckets._remember",
            "DatabaseBuckets.take",
            "RateLimiter.take",
            "RateLimiter.check",
            "RateLimiter.atake",
            "RateLimiter.acheck",
            "client_ip",
        ),
    ),
    Target("app/security/login.py", ("tests/app/security/test_login.py",)),
    Target(
        "offer_engine/access.py",
        (
            "tests/offer_engine/test_access_mutants.py",
            "tests/offer_engine/test_access.py",
            "tests/app/chat/test_signin.py",
        ),
    ),
    Target("app/chat/signin.py", ("tests/app/chat/test_signin_links.py", "tests/app/chat/test_signin.py")),
    Target(  # who counts as staff: the provider's e-mail, the session's claims, the database's word
        "app/review/auth.py",
        ("tests/app/review/test_auth_rules.py",),
        functions=(
            "provider_email",
            "_says_verified",
            "is_staff_session",
            "staff_of",
            "password_login",
            "_oauth_login",
        ),
    ),
    Target(  # claiming due jobs under a lease and acting only while the claim is still ours
        "offer_engine/outbox.py",
        ("tests/offer_engine/test_outbox.py",),
        functions=("_claimable", "claim_due", "_owned", "mark_delivered", "release", "mark_failed"),
    ),
    Target(  # the read-back that recognises a write that landed before a crash, and the lease's lower bound
        "offer_engine/delivery.py",
        ("tests/offer_engine/test_outbox.py",),
        functions=("_check_lease", "_deliver_one", "_already_applied", "_same"),
    ),
    Target(  # the mask/unmask core: known people's values and names, placeholders and their restoring
        "app/ai/masking.py",
        ("tests/app/ai/test_masking.py",),
        functions=(
            "Masker.__post_init__",
            "Masker._placeholder",
            "Masker._token_for",
            "Masker._person_number",
            "Masker.mask",
            "Masker._mask_known",
            "Masker._mask_name",
            "Masker._restore",
            "Masker.unmask",
            "Masker.unknown_placeholders",
            "_canonical",
            "_replace_folded",
        ),
    ),
    Target("app/security/origins.py", ("tests/app/chat/test_hardening_probes.py",), 300.0),
    Target("app/security/sessions.py", ("tests/app/chat/test_hardening_probes.py",), 300.0),
    Target("offer_engine/web_sessions.py", ("tests/app/chat/test_hardening_probes.py",), 300.0),
    Target("app/security/text.py", ("tests/app/security/test_text.py",)),
)


@dataclass(frozen=True)
class Survivor:
    name: str  # "operator #occurrence (line N)", as cosmic-ray numbers it; the key of its explanation
    mutated: str  # the mutated line, to judge it by


@dataclass(frozen=True)
class Outcome:
    module: str
    mutants: int  # in scope, annotation mutants included
    killed: int
    annotations: int  # skipped: inside a signature's annotation, never evaluated
    survived: tuple[Survivor, ...]
    date: str
    scope: tuple[str, ...]

    def explained(self, reasons: dict[str, str]) -> int:
        return sum(1 for s in self.survived if s.name in reasons)

    def kill_rate(self) -> float:
        return 100.0 * self.killed / self.mutants if self.mutants else 100.0


# -- running ----------------------------------------------------------------------------------------------------------


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


# Plugins no listed test needs (hypothesis' ``@given`` works without its pytest plugin; schemathesis only serves the
# HTTP fuzz tests): loading them takes about as long as importing the product, twice the time of a small test file.
SKIPPED_PLUGINS = "-p no:hypothesispytest -p no:schemathesis -p no:anyio"


def config_for(target: Target, python: str) -> str:
    tests = " ".join(target.tests)
    command = f"{python} -m pytest -x -q -p no:cacheprovider {SKIPPED_PLUGINS} -m 'not postgres' {tests}"
    return f"""[cosmic-ray]
module-path = "{target.module}"
timeout = {target.timeout}
excluded-modules = []
test-command = "{command}"

[cosmic-ray.distributor]
name = "local"
"""


def session_of(target: Target) -> Path:
    return SESSIONS / (target.module.replace("/", "_") + ".sqlite")


Span = tuple[tuple[int, int], tuple[int, int]]


def _span(node: ast.AST) -> Span:
    end_line, end_col = node.end_lineno or node.lineno, node.end_col_offset or node.col_offset  # type: ignore[attr-defined]
    return (node.lineno, node.col_offset), (end_line, end_col)  # type: ignore[attr-defined]


def signature_annotations(source: str) -> list[Span]:
    """Where the functions' parameter and return annotations are (never evaluated with postponed annotations)."""
    spans: list[Span] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            arguments = node.args
            every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs, arguments.vararg, arguments.kwarg]
            spans += [_span(a.annotation) for a in every if a is not None and a.annotation is not None]
            if node.returns is not None:
                spans.append(_span(node.returns))
    return spans


def function_lines(source: str, names: tuple[str, ...]) -> list[tuple[int, int]]:
    """The line ranges of the named top-level functions or ``Class.method`` methods (a missing name is an error)."""
    found: dict[str, tuple[int, int]] = {}
    for node in ast.parse(source).body:
        children = node.body if isinstance(node, ast.ClassDef) else []
        for child, prefix in [(node, ""), *((c, f"{node.name}.") for c in children)]:  # type: ignore[attr-defined]
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                first = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                found[prefix + child.name] = (first, child.end_lineno or child.lineno)
    missing = [name for name in names if name not in found]
    if missing:
        raise SystemExit(f"mutation: no function {missing} in the module")
    return [found[name] for name in names]


def _within(position: tuple[int, int], span: Span) -> bool:
    return span[0] <= position < span[1]


def skip_out_of_scope_and_annotations(session: Path, target: Target, source: str) -> None:
    """Mark mutants outside the target's functions, and those in signature annotations, as done before exec."""
    spans = signature_annotations(source)
    ranges = function_lines(source, target.functions) if target.functions else []
    with sqlite3.connect(session) as db:
        rows = db.execute("SELECT job_id, start_pos_row, start_pos_col FROM mutation_specs").fetchall()
        for job_id, row, col in rows:
            if ranges and not any(first <= row <= last for first, last in ranges):
                db.execute("DELETE FROM mutation_specs WHERE job_id = ?", (job_id,))
                db.execute("DELETE FROM work_items WHERE job_id = ?", (job_id,))
            elif any(_within((row, col), span) for span in spans):
                db.execute(
                    "INSERT INTO work_results (worker_outcome, output, test_outcome, diff, job_id) "
                    "VALUES ('SKIPPED', 'annotation', NULL, NULL, ?)",
                    (job_id,),
                )


def keep_only(session: Path, names: set[str]) -> None:
    """Drop every mutant of the session but those named (the survivors of an earlier run)."""
    with sqlite3.connect(session) as db:
        rows = db.execute("SELECT job_id, operator_name, occurrence, start_pos_row FROM mutation_specs").fetchall()
        for job_id, op, occurrence, line in rows:
            if f"{op} #{occurrence} (line {line})" not in names:
                db.execute("DELETE FROM work_results WHERE job_id = ?", (job_id,))
                db.execute("DELETE FROM mutation_specs WHERE job_id = ?", (job_id,))
                db.execute("DELETE FROM work_items WHERE job_id = ?", (job_id,))


def run(target: Target, copy: Path, cosmic_ray: list[str], python: str, earlier: Outcome | None = None) -> Outcome:
    """Run the module's mutants; with ``earlier``, only its survivors (the rest keep their earlier outcome)."""
    SESSIONS.mkdir(parents=True, exist_ok=True)
    session = session_of(target).with_stem(session_of(target).stem + ("-recheck" if earlier else ""))
    config = session.with_suffix(".toml")
    config.write_text(config_for(target, python))
    env = {**os.environ, "PYTHONPATH": str(copy), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    session.unlink(missing_ok=True)
    subprocess.run([*cosmic_ray, "init", str(config), str(session)], cwd=copy, env=env, check=True)  # noqa: S603
    skip_out_of_scope_and_annotations(session, target, (copy / target.module).read_text())
    if earlier:
        keep_only(session, {s.name for s in earlier.survived})
    subprocess.run(  # noqa: S603 - cosmic-ray from this environment, on files we wrote
        [*cosmic_ray, "exec", str(config), str(session)], cwd=copy, env=env, check=True, stdout=subprocess.DEVNULL
    )
    fresh = outcome(target, session)
    if earlier is None:
        return fresh
    killed = earlier.killed + fresh.killed
    return Outcome(
        target.module, earlier.mutants, killed, earlier.annotations, fresh.survived, fresh.date, earlier.scope
    )


def _mutated_line(diff: str | None) -> str:
    added = [line[1:].strip() for line in (diff or "").splitlines() if line.startswith("+") and line[:3] != "+++"]
    return added[0] if added else ""


def outcome(target: Target, session: Path) -> Outcome:
    with sqlite3.connect(session) as db:
        rows = db.execute(
            "SELECT m.operator_name, m.occurrence, m.start_pos_row, r.worker_outcome, r.test_outcome, r.diff "
            "FROM mutation_specs m JOIN work_results r ON r.job_id = m.job_id ORDER BY m.start_pos_row"
        ).fetchall()
    survived = tuple(
        Survivor(f"{op} #{occurrence} (line {line})", _mutated_line(diff))
        for op, occurrence, line, _, result, diff in rows
        if result == "SURVIVED"
    )
    annotations = sum(1 for *_, worker, _, _ in rows if worker == "SKIPPED")
    killed = sum(1 for *_, result, _ in rows if result in ("KILLED", "INCOMPETENT"))
    date = datetime.now(UTC).strftime("%Y-%m-%d")
    return Outcome(
        target.module, killed + annotations + len(survived), killed, annotations, survived, date, target.functions
    )


# -- storing and reporting --------------------------------------------------------------------------------------------


def load_results() -> dict[str, Outcome]:
    if not RESULTS.exists():
        return {}
    stored = json.loads(RESULTS.read_text())
    return {
        module: Outcome(
            module,
            fields["mutants"],
            fields["killed"],
            fields["annotations"],
            tuple(Survivor(**s) for s in fields["survived"]),
            fields["date"],
            tuple(fields["scope"]),
        )
        for module, fields in stored.items()
    }


def store(result: Outcome) -> None:
    results = load_results()
    results[result.module] = result
    as_json = {
        module: {
            "date": r.date,
            "mutants": r.mutants,
            "killed": r.killed,
            "annotations": r.annotations,
            "scope": list(r.scope),
            "survived": [{"name": s.name, "mutated": s.mutated} for s in r.survived],
        }
        for module, r in sorted(results.items())
    }
    RESULTS.write_text(json.dumps(as_json, indent=1) + "\n")


EXPLANATION_ROW = re.compile(r"^\|\s*`(?P<module>[^`]+)`\s*\|\s*`(?P<name>[^`]+)`\s*\|(?P<reason>.+)\|\s*$")


def explanations() -> dict[str, dict[str, str]]:
    """module -> survivor -> why it is equivalent, from the table rows of docs/mutation.md."""
    reasons: dict[str, dict[str, str]] = {}
    text = EXPLANATIONS.read_text() if EXPLANATIONS.exists() else ""
    for line in text.splitlines():
        match = EXPLANATION_ROW.match(line)
        if match and match["reason"].strip():
            reasons.setdefault(match["module"], {})[match["name"]] = match["reason"].strip()
    return reasons


HEADER = (
    f"{'module':30} {'mutants':>7} {'killed':>6} {'equivalent':>10} {'unexplained':>11} {'kill rate':>9} "
    f"{'of non-equiv.':>13}  date"
)


def show(result: Outcome, reasons: dict[str, str], survivors: bool) -> int:
    """Print one module's line; returns its number of unexplained survivors."""
    explained = result.explained(reasons)
    equivalent = result.annotations + explained
    unexplained = len(result.survived) - explained
    non_equivalent = result.mutants - equivalent
    of_non_equivalent = 100.0 * result.killed / non_equivalent if non_equivalent else 100.0
    scope = f"  (only {', '.join(result.scope)})" if result.scope else ""
    print(
        f"{result.module:30} {result.mutants:7d} {result.killed:6d} {equivalent:10d} {unexplained:11d} "
        f"{result.kill_rate():8.1f}% {of_non_equivalent:12.1f}%  {result.date}{scope}",
        flush=True,
    )
    for survivor in result.survived if survivors else ():
        reason = reasons.get(survivor.name, "UNEXPLAINED")
        print(f"    {survivor.name}: {survivor.mutated}\n        -> {reason}", flush=True)
    return unexplained


def report(targets: list[Target], survivors: bool) -> int:
    results, reasons = load_results(), explanations()
    print(HEADER)
    unexplained = 0
    for target in targets:
        if target.module in results:
            unexplained += show(results[target.module], reasons.get(target.module, {}), survivors)
        else:
            print(f"{target.module:30} not run")
    return 1 if unexplained else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("modules", nargs="*", help="modules to mutate (default: all listed)")
    parser.add_argument("--list", action="store_true", help="list the modules and their tests")
    parser.add_argument("--show-survivors", action="store_true", help="name every surviving mutant and its reason")
    parser.add_argument("--recheck", action="store_true", help="re-run only the stored survivors (after new tests)")
    parser.add_argument("--report", action="store_true", help="print the stored results; exit 1 if unexplained")
    args = parser.parse_args()
    targets = [t for t in TARGETS if not args.modules or t.module in args.modules]
    if args.list or not targets:
        for t in TARGETS:
            scope = f" [only {', '.join(t.functions)}]" if t.functions else ""
            print(f"{t.module:30} {' '.join(t.tests)}{scope}")
        return 0 if args.list else 2
    if args.report:
        return report(targets, args.show_survivors)
    cosmic_ray = [shutil.which("cosmic-ray") or str(Path(sys.executable).parent / "cosmic-ray")]
    copy = scratch_copy()
    try:
        for target in targets:
            started = time.monotonic()
            earlier = load_results().get(target.module) if args.recheck else None
            if args.recheck and earlier is None:
                raise SystemExit(f"mutation: --recheck needs an earlier run of {target.module}")
            result = run(target, copy, cosmic_ray, sys.executable, earlier)
            store(result)
            print(f"{target.module}: {time.monotonic() - started:.0f} s", flush=True)
    finally:
        shutil.rmtree(copy, ignore_errors=True)
    return report(targets, args.show_survivors)


if __name__ == "__main__":
    raise SystemExit(main())
