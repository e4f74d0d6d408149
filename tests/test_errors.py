"""Operating-system failures (permission, full disk, name too long) are one line saying what
is wrong and what to do, in the CLI, the UI and the library; injected faults, one each."""

from __future__ import annotations

import errno
import html
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from askbj import cli, engine, files
from askbj.errors import AskbjError, describe_os_error
from askbj.index import store as index_store
from askbj.ingest.uploads import save_upload

from app_helpers import settings_of, start, write_home
from corpora import write_ingest

TESTS = Path(__file__).resolve().parent


def fault(code: int, path: str = "") -> Callable[..., None]:
    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(code, os.strerror(code), path or None)

    return fail


@pytest.fixture
def run_main(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
             fake_embedder: Any) -> Callable[..., tuple[int, str]]:
    settings = write_ingest(tmp_path)
    monkeypatch.setattr(engine, "make_embedder", lambda s: type(fake_embedder)())

    def run(*args: str) -> tuple[int, str]:
        argv = ["askbj", "--index-dir", str(settings.index_dir), "--ingest-dir",
                str(settings.ingest_dir), *args]
        monkeypatch.setattr(sys, "argv", argv)
        capsys.readouterr()
        with pytest.raises(SystemExit) as info:
            cli.main()
        return int(info.value.code or 0), capsys.readouterr().err

    return run


def assert_one_line(err: str, *parts: str) -> None:
    assert "Traceback" not in err and err.startswith("error: ")
    assert len(err.strip().splitlines()) == 1, err
    for part in parts:
        assert part in err


@pytest.mark.parametrize(("code", "advice"), [
    (errno.EACCES, "check the folder's permissions"),
    (errno.EROFS, "read-only"),
    (errno.ENOSPC, "the disk is full"),
    (errno.EFBIG, "free some space"),
    (errno.ENAMETOOLONG, "use a shorter name"),
])
def test_ingest_fault_is_one_line_and_the_index_survives(
    run_main: Callable[..., tuple[int, str]], monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    code: int, advice: str,
) -> None:
    assert run_main("ingest")[0] == 0
    before = index_store.load(tmp_path / "index").chunks
    (tmp_path / "ingest" / "a.txt").write_text("新的内容，北京数字经济。", encoding="utf-8")
    monkeypatch.setattr(index_store, "_write_jsonl", fault(code, str(tmp_path / "x.jsonl")))
    status, err = run_main("ingest")
    assert status == 1
    assert_one_line(err, os.strerror(code), "x.jsonl", advice)
    monkeypatch.undo()
    assert index_store.load(tmp_path / "index").chunks == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".index-")] == []


def test_unwritable_project_folder_is_one_line(
    run_main: Callable[..., tuple[int, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "_ingest_lock", fault(errno.EACCES, "/srv/project/.index.lock"))
    status, err = run_main("ingest")
    assert status == 1
    assert_one_line(err, "Permission denied (/srv/project/.index.lock)", "permissions")


def test_a_real_file_size_limit_is_one_line(tmp_path: Path) -> None:
    """`ulimit -f` as in the issue: the kernel refuses the write (EFBIG), in a child process."""
    settings = write_ingest(tmp_path)
    script = textwrap.dedent(f"""
        import resource, sys
        sys.path.insert(0, {str(TESTS)!r})
        from fakes import FakeEmbedder
        from askbj import cli, engine
        engine.make_embedder = lambda settings: FakeEmbedder()
        resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))
        sys.argv = ["askbj", "--index-dir", {str(settings.index_dir)!r},
                    "--ingest-dir", {str(settings.ingest_dir)!r}, "ingest"]
        cli.main()
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 1, done.stderr
    assert_one_line(done.stderr, "File too large", "free some space")
    assert not settings.index_dir.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".index-")] == []


def test_describe_os_error_hides_folders_when_asked() -> None:
    exc = OSError(errno.ENOSPC, "No space left on device", "/srv/secret/home/ingest/a.txt")
    line = describe_os_error(exc, shown=lambda p: Path(p).name)
    assert line == ("No space left on device (a.txt): the disk is full: free some space and "
                    "try again.")


def test_upload_of_a_very_long_name_is_stored_under_a_shorter_one(tmp_path: Path) -> None:
    name = "📄" * 70 + ".txt"  # 280 bytes: over the usual 255-byte limit for a name
    path = save_upload(tmp_path, name, "北京数字经济。".encode())
    assert len(path.name.encode("utf-8")) <= 255 and path.name.endswith(".txt")
    assert path.read_text(encoding="utf-8") == "北京数字经济。"


@pytest.mark.parametrize("code", [errno.ENAMETOOLONG, errno.ENOSPC, errno.EACCES])
def test_upload_fault_is_an_askbj_error_naming_no_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    monkeypatch.setattr(files.tempfile, "mkstemp",
                        fault(code, str(tmp_path / "ingest" / ".upload-x.part")))
    with pytest.raises(AskbjError) as info:
        save_upload(tmp_path / "ingest", "a.txt", "北京".encode())
    assert os.strerror(code) in str(info.value) and str(tmp_path) not in str(info.value)


def test_full_disk_during_an_upload_is_one_error_line_in_the_ui(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui import session as ui

    from app_helpers import LLM_VARIABLES, fake_factory
    from fakes import FakeEmbedder

    home = write_home(tmp_path)
    engine.build(settings_of(home), embedder=FakeEmbedder())
    monkeypatch.setenv("ASKBJ_HOME", str(home))
    for name in ("ASKBJ_MODEL", *LLM_VARIABLES):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(ui, "EMBEDDER_FACTORY", fake_factory)
    at = start("ui/pages/documents.py")
    at.file_uploader[0].upload("new.txt", "怀柔量子实验室建成投用。".encode(), "text/plain").run()
    monkeypatch.setattr(index_store, "_write_jsonl",
                        fault(errno.ENOSPC, str(home / "index" / "chunks.jsonl")))
    at.button(key="upload_add").click().run()
    assert not at.exception
    [error] = [html.unescape(e.value) for e in at.error]
    assert "No space left on device" in error and "the disk is full" in error
    assert str(home) not in error  # no server folders in the page
