"""The index swap: never a moment without an index, recovery after a crash mid-swap, stale
build folders cleaned, and a manifest that is never trusted blindly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from askbj import engine
from askbj.errors import IndexDamaged
from askbj.index import store as index_store
from askbj.index import swap
from test_index import build_index
from test_pipeline import write_ingest


class Crash(BaseException):
    """Stands for kill -9: nothing after it runs, not even ``finally`` clean-up that matters."""


def hidden(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(".index-"))


def crash_between_renames(monkeypatch: pytest.MonkeyPatch) -> None:
    """No atomic exchange on this 'system', and the process dies between the two renames."""
    monkeypatch.setattr(swap, "_exchange", lambda a, b: False)

    def die() -> None:
        raise Crash

    monkeypatch.setattr(swap, "_between_renames", die)
    monkeypatch.setattr(swap.shutil, "rmtree", lambda *a, **k: None)  # a killed process cleans up
    # nothing


def test_swap_is_one_exchange_and_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "index"
    index_store.save(build_index(model="first"), folder)
    calls: list[tuple[Path, Path]] = []
    real = swap._exchange

    def spy(a: Path, b: Path) -> bool:
        calls.append((a, b))
        assert (folder / "manifest.json").exists()  # the old index is in place up to the swap
        return real(a, b)

    monkeypatch.setattr(swap, "_exchange", spy)
    monkeypatch.setattr(swap, "_between_renames", lambda: pytest.fail("two renames used"))
    index_store.save(build_index(model="second"), folder)
    assert len(calls) == 1 and calls[0][1] == folder
    assert index_store.load(folder).manifest.model == "second"
    assert hidden(tmp_path) == []


def test_crash_between_renames_still_serves_and_recovers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "index"
    index_store.save(build_index(model="first"), folder)
    with monkeypatch.context() as m:
        crash_between_renames(m)
        with pytest.raises(Crash):
            index_store.save(build_index(model="second"), folder)
    # the state the issue describes: no index/, both complete copies hidden beside it
    assert not folder.exists()
    assert [n.split("-")[1] for n in hidden(tmp_path)] == ["build", "old"]
    assert index_store.read_manifest(folder).model == "second"  # readers use the copy
    assert index_store.load(folder).manifest.model == "second"
    assert index_store.recover(folder)
    assert index_store.load(folder).manifest.model == "second"
    assert index_store.clean_stale(folder) and hidden(tmp_path) == []


def test_after_a_crash_the_app_recovers_and_ingest_re_embeds_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_embedder: Any
) -> None:
    settings = write_ingest(tmp_path)
    cls = type(fake_embedder)
    engine.build(settings, embedder=cls())
    with monkeypatch.context() as m:
        crash_between_renames(m)
        with pytest.raises(Crash):
            engine.build(settings, embedder=cls(), rebuild=True)
    assert not settings.index_dir.exists()
    searcher = engine.open_searcher(settings, cls())  # `ask` after the crash: served, repaired
    assert searcher.search("北京", k=1)
    assert (settings.index_dir / "manifest.json").exists() and hidden(tmp_path) == []
    report = engine.build(settings, embedder=cls())
    assert report.embedded == 0 and hidden(tmp_path) == []


def test_ingest_recovers_a_crashed_swap_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_embedder: Any
) -> None:
    settings = write_ingest(tmp_path)
    cls = type(fake_embedder)
    engine.build(settings, embedder=cls())
    with monkeypatch.context() as m:
        crash_between_renames(m)
        with pytest.raises(Crash):
            engine.build(settings, embedder=cls(), rebuild=True)
    embedder = cls()
    report = engine.build(settings, embedder=embedder)  # no ask in between
    assert report.embedded == embedder.calls == 0
    assert hidden(tmp_path) == []


def test_a_killed_build_folder_is_cleaned_by_the_next_save(tmp_path: Path) -> None:
    folder = tmp_path / "index"
    index_store.save(build_index(model="first"), folder)
    half = tmp_path / ".index-build-killed"
    half.mkdir()
    (half / "chunks.jsonl").write_text("{", encoding="utf-8")  # no manifest: never complete
    assert index_store.load(folder).manifest.model == "first"
    index_store.save(build_index(model="second"), folder)
    assert hidden(tmp_path) == []


def test_a_half_copy_is_never_served(tmp_path: Path) -> None:
    folder = tmp_path / "index"
    index_store.save(build_index(), folder)
    copy = tmp_path / ".index-old-1"
    folder.rename(copy)
    (copy / "chunks.jsonl").write_text("", encoding="utf-8")  # damaged: fails verification
    with pytest.raises(Exception, match="No index found"):
        index_store.load(folder)


def test_a_load_that_overlaps_a_swap_is_retried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "index"
    index_store.save(build_index(model="first"), folder)
    real, calls = index_store._load, []

    def swapped_meanwhile(path: Path) -> index_store.Index:
        calls.append(path)
        if len(calls) == 1:  # the manifest was read, then a build swapped in
            index_store.save(build_index(model="second"), folder)
            raise IndexDamaged("checksum does not match")
        return real(path)

    monkeypatch.setattr(index_store, "_load", swapped_meanwhile)
    assert index_store.load(folder).manifest.model == "second" and len(calls) == 2


# --- the manifest is checked, not trusted ----------------------------------------------------

def _edit_manifest(folder: Path, **changes: object) -> None:
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest.update(changes)
    path.write_text(json.dumps(manifest), encoding="utf-8")


@pytest.mark.parametrize(("changes", "message"), [
    ({"files": {}}, "lists no files"),
    ({"files": ["chunks.jsonl"]}, "'files' should be dict"),
    ({"files": {"chunks.jsonl": 5}}, "checksum strings"),
    ({"corpus": "a.txt"}, "'corpus' should be dict"),
    ({"dim": "16"}, "'dim' should be int"),
    ({"model": None}, "'model' should be str"),
    ({"files": {"../../etc/passwd": "x"}}, "outside the index folder"),
])
def test_malformed_manifest_is_damaged(
    tmp_path: Path, changes: dict[str, object], message: str
) -> None:
    folder = tmp_path / "index"
    index_store.save(build_index(), folder)
    _edit_manifest(folder, **changes)
    with pytest.raises(IndexDamaged, match="askbj ingest --rebuild") as info:
        index_store.load(folder)
    assert message in str(info.value)


def test_a_file_missing_from_the_list_is_damaged(tmp_path: Path) -> None:
    folder = tmp_path / "index"
    index_store.save(build_index(), folder)
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    del manifest["files"]["chunks.jsonl"]  # the chunks would load unchecked
    path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IndexDamaged, match=r"chunks\.jsonl is not listed"):
        index_store.load(folder)


@pytest.mark.parametrize("files", ["{}", "[]", '"x"'])
def test_malformed_manifest_is_one_line_in_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    fake_embedder: Any, files: str,
) -> None:
    from askbj import cli

    settings = write_ingest(tmp_path)
    engine.build(settings, embedder=type(fake_embedder)())
    _edit_manifest(settings.index_dir, files=json.loads(files))
    monkeypatch.setattr(engine, "make_embedder", lambda s: type(fake_embedder)())
    argv = ["askbj", "--index-dir", str(settings.index_dir), "--ingest-dir",
            str(settings.ingest_dir), "search", "北京"]
    monkeypatch.setattr("sys.argv", argv)
    with pytest.raises(SystemExit) as info:
        cli.main()
    err = capsys.readouterr().err
    assert info.value.code == 1 and "Traceback" not in err
    assert err.startswith("error:") and len(err.strip().splitlines()) == 1
    assert "manifest.json is damaged" in err and "askbj ingest --rebuild" in err


def test_malformed_manifest_is_one_error_line_in_the_ui(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import html

    from ui import session as ui

    from app_helpers import LLM_VARIABLES, fake_factory, settings_of, start, write_home
    from fakes import FakeEmbedder

    home = write_home(tmp_path)
    engine.build(settings_of(home), embedder=FakeEmbedder())
    _edit_manifest(home / "index", files={})
    monkeypatch.setenv("ASKBJ_HOME", str(home))
    for name in ("ASKBJ_MODEL", *LLM_VARIABLES):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(ui, "EMBEDDER_FACTORY", fake_factory)
    at = start()
    assert not at.exception
    [error] = [html.unescape(e.value) for e in at.error]
    assert "manifest.json is damaged" in error and "lists no files" in error
    assert "askbj ingest --rebuild" in error
