"""Uploaded files reach the ingest folder only under a safe name, whole, and never replace a
document the user did not agree to replace; from the Documents page, an upload is indexed
at once and can be asked about (AppTest, over app_helpers' tiny corpus in a home of its own)."""

from __future__ import annotations

import html
import os
from pathlib import Path

import pytest
from ui import session as ui

from askbj import engine
from askbj.errors import AskbjError
from askbj.ingest.sources import SUPPORTED, load_documents
from askbj.ingest.uploads import MAX_STEM, safe_name, save_upload

from app_helpers import DOCS, LLM_VARIABLES, ask, fake_factory, settings_of, start, write_home
from fakes import FakeEmbedder


@pytest.mark.parametrize(("name", "expected"), [
    ("../../etc/passwd.txt", "passwd.txt"),
    ("..\\x.txt", "x.txt"),
    ("..\\..\\windows\\system32\\x.md", "x.md"),
    ("/abs/path.md", "path.md"),
    ("C:\\Users\\me\\报告.docx", "报告.docx"),
    (".hidden.txt", "hidden.txt"),
    ("...txt.txt", "txt.txt"),
    ("a..b.txt", "a.b.txt"),
    ("nul\x00byte.txt", "nulbyte.txt"),
    ("tab\there\nnew\rline.md", "tabherenewline.md"),
    ("rtl\u202etxt.exe.txt", "rtltxt.exe.txt"),
    ("zero\u200bwidth.txt", "zerowidth.txt"),
    ("报告.txt", "报告.txt"),
    ("北京 数字经济  报告.pdf", "北京 数字经济 报告.pdf"),
    ("REPORT.TXT", "REPORT.txt"),
    ("notes.Md", "notes.md"),
    ('a<b>c:d"e|f?g*.txt', "a_b_c_d_e_f_g_.txt"),
    ("trailing.txt. ", "trailing.txt"),
])
def test_safe_name_keeps_a_plain_base_name(name: str, expected: str) -> None:
    assert safe_name(name) == expected


def test_safe_name_is_nfc_normalised() -> None:
    decomposed = "Cafe\u0301.txt"
    assert safe_name(decomposed) == "Caf\u00e9.txt"


def test_safe_name_limits_length_and_keeps_the_extension() -> None:
    name = safe_name("数" * 500 + ".docx")
    assert name == "数" * MAX_STEM + ".docx"
    assert len(name.encode("utf-8")) <= 255


@pytest.mark.parametrize("name", [
    "virus.exe", "archive.tar.gz", "README", "x.txt.exe", "sources.toml", "", "..", ".txt",
    "../", "/", "\x00\x01.txt", "  .md", "a/..", "报告.doc",
])
def test_safe_name_refuses_unusable_or_unsupported_names(name: str) -> None:
    with pytest.raises(AskbjError, match="Cannot add"):
        safe_name(name)


@pytest.mark.parametrize("name", [".txt", " ..md", "\u200b.txt", "/x/.pdf"])
def test_a_bare_extension_asks_for_a_name(name: str) -> None:
    with pytest.raises(AskbjError, match="give the file a name"):
        safe_name(name)


def test_unsupported_type_names_the_supported_ones() -> None:
    with pytest.raises(AskbjError) as err:
        safe_name("setup.EXE")
    assert ".exe" in str(err.value) and all(kind in str(err.value) for kind in SUPPORTED)


def test_save_writes_inside_the_folder_under_the_safe_name(tmp_path: Path) -> None:
    ingest = tmp_path / "ingest"
    ingest.mkdir()
    path = save_upload(ingest, "../../escape.txt", "北京".encode())
    assert path == ingest.resolve() / "escape.txt"
    assert path.read_bytes() == "北京".encode()
    assert not (tmp_path / "escape.txt").exists()
    assert sorted(p.name for p in ingest.iterdir()) == ["escape.txt"]  # no temp file left
    assert oct(path.stat().st_mode & 0o777) == oct(0o644)


def test_saved_chinese_name_is_ingested(tmp_path: Path) -> None:
    save_upload(tmp_path, "报告.txt", "北京数字经济发展报告的正文。".encode())
    [doc], warnings = load_documents(tmp_path)
    assert doc.title == "报告" and doc.path.endswith("报告.txt") and not warnings


def test_existing_file_is_replaced_only_when_confirmed(tmp_path: Path) -> None:
    save_upload(tmp_path, "a.txt", b"first")
    with pytest.raises(AskbjError, match=r"a\.txt already exists.*overwrite=True"):
        save_upload(tmp_path, "a.txt", b"second")
    with pytest.raises(AskbjError, match="already exists"):
        save_upload(tmp_path, "../A/a.txt", b"second")  # the same file by another spelling
    assert (tmp_path / "a.txt").read_bytes() == b"first"
    save_upload(tmp_path, "a.txt", b"second", overwrite=True)
    assert (tmp_path / "a.txt").read_bytes() == b"second"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


def test_size_limit_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(AskbjError, match=r"11 bytes, over the 10 bytes limit"):
        save_upload(tmp_path, "big.txt", b"x" * 11, max_bytes=10)
    save_upload(tmp_path, "fits.txt", b"x" * 10, max_bytes=10)
    with pytest.raises(AskbjError, match=r"over the 20 MB limit"):
        save_upload(tmp_path, "huge.txt", b"x" * (20 * 2**20 + 1))
    with pytest.raises(AskbjError, match="empty"):
        save_upload(tmp_path, "empty.txt", b"")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fits.txt"]


def test_a_symlink_out_of_the_folder_is_not_written_through(tmp_path: Path) -> None:
    ingest, outside = tmp_path / "ingest", tmp_path / "secret.txt"
    ingest.mkdir()
    outside.write_text("keep", encoding="utf-8")
    os.symlink(outside, ingest / "link.txt")
    for overwrite in (False, True):
        with pytest.raises(AskbjError, match="outside"):
            save_upload(ingest, "link.txt", b"evil", overwrite=overwrite)
    assert outside.read_text(encoding="utf-8") == "keep"


def test_a_folder_with_the_name_is_not_replaced(tmp_path: Path) -> None:
    (tmp_path / "dir.txt").mkdir()
    with pytest.raises(AskbjError):
        save_upload(tmp_path, "dir.txt", b"x", overwrite=True)
    assert (tmp_path / "dir.txt").is_dir()


def test_missing_ingest_folder_is_created(tmp_path: Path) -> None:
    path = save_upload(tmp_path / "new" / "ingest", "a.md", b"# t")
    assert path.read_bytes() == b"# t"


# --- the Documents page -----------------------------------------------------------------

UPLOADED = ("一、新设施\n\n怀柔量子玻璃实验室于2024年3月建成投用，拥有国内首条超导量子比特"
            "芯片中试产线，年产能达到一千片。\n")


@pytest.fixture
def own_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home of this test's own, with a current index: uploading changes ingest/."""
    home = write_home(tmp_path)
    engine.build(settings_of(home), embedder=FakeEmbedder())
    monkeypatch.setenv("ASKBJ_HOME", str(home))
    for name in ("ASKBJ_MODEL", *LLM_VARIABLES):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(ui, "EMBEDDER_FACTORY", fake_factory)
    return home


def test_uploaded_document_is_indexed_and_answers_questions(own_home: Path) -> None:
    at = start("ui/pages/documents.py")
    at.file_uploader[0].upload("../../量子 实验室.txt", UPLOADED.encode(), "text/plain").run()
    assert not at.exception and not at.warning
    at.button(key="upload_add").click().run()
    assert not at.exception and not at.error
    [done] = at.success
    assert "Added 量子 实验室.txt" in html.unescape(done.value)
    assert "the index now holds 12 passages (1 newly embedded" in html.unescape(done.value)
    assert (own_home / "ingest" / "量子 实验室.txt").read_text(encoding="utf-8") == UPLOADED
    assert not (own_home / "量子 实验室.txt").exists()
    assert "量子 实验室" in list(at.dataframe[0].value["title"])
    assert at.file_uploader[0].value is None  # a fresh uploader, ready for the next file
    status = ui.index_status(settings_of(own_home))
    assert status.documents == 5 and status.corpus_matches
    answer = ask(start(), "怀柔量子玻璃实验室什么时候建成?").answer
    assert not answer.abstained
    assert any("量子玻璃" in c.quote and c.title == "量子 实验室" for c in answer.citations)


def test_uploading_an_existing_name_asks_before_replacing(own_home: Path) -> None:
    at = start("ui/pages/documents.py")
    new_b = DOCS["b.txt"].replace("122个", "150个")
    at.file_uploader[0].upload("b.txt", new_b.encode(), "text/plain").run()
    assert at.warning and "already in" in html.unescape(at.warning[0].value)
    assert at.button(key="upload_add").disabled
    assert (own_home / "ingest" / "b.txt").read_text(encoding="utf-8") == DOCS["b.txt"]
    at.checkbox[0].check().run()
    assert at.checkbox[0].label == "Replace it" and not at.button(key="upload_add").disabled
    at.button(key="upload_add").click().run()
    assert not at.exception and not at.error
    assert "Replaced b.txt" in html.unescape(at.success[0].value)
    assert (own_home / "ingest" / "b.txt").read_text(encoding="utf-8") == new_b
    answer = ask(start(), "北京发布了多少个人工智能大模型?").answer
    assert any("150个" in c.quote for c in answer.citations)


def test_unusable_uploads_are_refused_with_a_reason(own_home: Path) -> None:
    at = start("ui/pages/documents.py")
    before = sorted(p.name for p in (own_home / "ingest").iterdir())
    at.file_uploader[0].upload("\u200b.txt", b"x", "text/plain").run()  # nothing visible
    assert at.error and "give the file a name" in html.unescape(at.error[0].value)
    assert not [b for b in at.button if b.key == "upload_add"]
    at.file_uploader[0].set_value(("empty.txt", b"", "text/plain")).run()
    at.button(key="upload_add").click().run()
    assert at.error and "empty" in html.unescape(at.error[0].value)
    assert sorted(p.name for p in (own_home / "ingest").iterdir()) == before
