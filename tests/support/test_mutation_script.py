"""scripts/mutation.py: the stored results have no unexplained survivor, and its helpers read what they claim."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _mutation() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mutation_script", ROOT / "scripts" / "mutation.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def test_every_stored_survivor_is_explained_in_docs_mutation_md() -> None:
    done = subprocess.run(
        [sys.executable, "scripts/mutation.py", "--report"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "app/links.py" in done.stdout


def test_only_signature_annotations_count_as_never_evaluated() -> None:
    source = (
        "class A:\n    x: int | None = None\n\n"
        "def f(a: int | None, *b: str, c: bytes | None = None) -> int | None:\n    return a | 1\n"
    )
    spans = _mutation().signature_annotations(source)
    assert sorted(spans) == [((4, 9), (4, 19)), ((4, 25), (4, 28)), ((4, 33), (4, 45)), ((4, 57), (4, 67))]


def test_a_scope_names_functions_and_methods_and_refuses_a_missing_one() -> None:
    source = "def f():\n    pass\n\nclass A:\n    @staticmethod\n    def g():\n        return 1\n"
    mutation = _mutation()
    assert mutation.function_lines(source, ("f", "A.g")) == [(1, 2), (5, 7)]
    with pytest.raises(SystemExit, match="'h'"):
        mutation.function_lines(source, ("h",))


def test_explanations_are_the_rows_naming_a_module_a_survivor_and_a_reason(tmp_path: Path) -> None:
    mutation = _mutation()
    doc = tmp_path / "mutation.md"
    doc.write_text(
        "| module | survivor | why |\n|---|---|---|\n"
        "| `app/x.py` | `core/NumberReplacer #1 (line 3)` | a log text |\n"
        "| `app/x.py` | `core/NumberReplacer #2 (line 3)` |  |\n"
    )
    mutation.EXPLANATIONS = doc
    assert mutation.explanations() == {"app/x.py": {"core/NumberReplacer #1 (line 3)": "a log text"}}
