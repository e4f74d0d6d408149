"""Ingest limits: a file over one is skipped with a message naming the limit, the rest of the
corpus is ingested; uploads are held to the same limits on their extracted text."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from askbj import engine
from askbj.config import Settings
from askbj.errors import AskbjError
from askbj.ingest.formats import docx_text
from askbj.ingest.limits import Deadline, IngestLimits, LimitExceeded
from askbj.ingest.sources import load_documents
from askbj.ingest.uploads import save_upload

from office_files import chinese_pdf, docx, paragraph

GOOD = "北京数字经济发展报告的正文，讲述数据交易平台与算力设施的建设情况。"


def ingest_with(tmp_path: Path, files: dict[str, bytes]) -> Path:
    ingest = tmp_path / "ingest"
    ingest.mkdir()
    (ingest / "good.txt").write_text(GOOD, encoding="utf-8")
    for name, data in files.items():
        (ingest / name).write_bytes(data)
    return ingest


def skipped(warnings: list[str], name: str) -> str:
    [line] = [w for w in warnings if w.startswith(f"skipped {name}:")]
    return line


def test_default_limits_are_set_in_settings() -> None:
    limits = Settings().limits
    assert limits == IngestLimits()
    assert limits.max_chars == 1_000_000 and limits.max_pdf_pages == 1_000
    assert limits.parse_seconds == 60 and limits.max_zip_ratio == 100


def test_text_over_the_character_limit_is_skipped(tmp_path: Path) -> None:
    ingest = ingest_with(tmp_path, {"long.txt": ("数据" * 600).encode("utf-8")})
    docs, warnings = load_documents(ingest, IngestLimits(max_chars=1000))
    assert [d.doc_id for d in docs] == ["good"]
    assert "1,200 characters of text, over the 1,000 limit per file" in skipped(warnings,
                                                                                 "long.txt")


def test_a_huge_text_file_is_refused_before_decoding(tmp_path: Path) -> None:
    ingest = ingest_with(tmp_path, {"huge.txt": b"a" * 50_000})
    docs, warnings = load_documents(ingest, IngestLimits(max_chars=1000))
    assert [d.doc_id for d in docs] == ["good"]
    assert "over the 1,000 limit" in skipped(warnings, "huge.txt")


def test_file_over_the_byte_limit_is_skipped_but_hashed(tmp_path: Path) -> None:
    from askbj.ingest.sources import load_corpus

    ingest = ingest_with(tmp_path, {"big.txt": ("数" * 5000).encode("utf-8")})
    corpus = load_corpus(ingest, IngestLimits(max_file_bytes=4096))
    assert [d.doc_id for d in corpus.documents] == ["good"]
    assert "4,096-byte limit per file" in skipped(list(corpus.warnings), "big.txt")
    assert set(corpus.hashes) == {"good.txt", "big.txt"}  # still tracked for freshness


def test_docx_bomb_is_refused_by_its_compression_ratio(tmp_path: Path) -> None:
    bomb = docx(paragraph("数据" * 200_000))  # a few KB that inflate to megabytes
    ingest = ingest_with(tmp_path, {"bomb.docx": bomb})
    limits = IngestLimits(ratio_from_bytes=100_000)
    docs, warnings = load_documents(ingest, limits)
    assert [d.doc_id for d in docs] == ["good"]
    assert "over the 100 to 1 limit" in skipped(warnings, "bomb.docx")


def test_docx_inflating_past_the_size_limit_is_refused() -> None:
    with pytest.raises(LimitExceeded, match=r"over the 10,000-byte limit for a \.docx body"):
        docx_text(docx(paragraph("数据" * 20_000)), IngestLimits(max_unzipped_bytes=10_000))


def test_docx_text_over_the_character_limit_is_refused() -> None:
    body = "".join(paragraph("北京数字经济" * 10) for _ in range(50))
    with pytest.raises(LimitExceeded, match="over the 1,000 limit per file"):
        docx_text(docx(body), IngestLimits(max_chars=1000))
    assert docx_text(docx(body)).startswith("北京数字经济")  # fine under the default


def test_pdf_over_the_page_limit_is_skipped(tmp_path: Path) -> None:
    ingest = ingest_with(tmp_path, {"report.pdf": chinese_pdf(GOOD)})
    docs, warnings = load_documents(ingest, IngestLimits(max_pdf_pages=0))
    assert [d.doc_id for d in docs] == ["good"]
    assert "1 pages, over the 0 page limit per PDF" in skipped(warnings, "report.pdf")
    docs, _ = load_documents(ingest)
    assert [d.doc_id for d in docs] == ["good", "report"]


@pytest.mark.parametrize("name", ["slow.pdf", "slow.docx"])
def test_parse_time_limit_skips_a_slow_file(tmp_path: Path, name: str) -> None:
    data = chinese_pdf(GOOD) if name.endswith(".pdf") else docx(paragraph(GOOD))
    ingest = ingest_with(tmp_path, {name: data})
    docs, warnings = load_documents(ingest, IngestLimits(parse_seconds=-1))  # already late
    assert [d.doc_id for d in docs] == ["good"]
    assert "parse-time limit per file" in skipped(warnings, name)


def test_deadline_checks_the_clock() -> None:
    now = [100.0]
    deadline = Deadline(60, clock=lambda: now[0])
    now[0] = 160.0
    deadline.check()  # exactly at the limit: still fine
    now[0] = 160.5
    with pytest.raises(LimitExceeded, match="over 60 s"):
        deadline.check()


def test_limits_reach_the_build_through_settings(tmp_path: Path, fake_embedder: Any) -> None:
    ingest = ingest_with(tmp_path, {"long.txt": ("数据" * 600).encode("utf-8")})
    settings = Settings(ingest_dir=ingest, index_dir=tmp_path / "index",
                        limits=IngestLimits(max_chars=1000))
    report = engine.build(settings, embedder=type(fake_embedder)())
    assert report.added == ("good",)
    assert any("long.txt" in w and "1,000 limit" in w for w in report.warnings)
    report = engine.build(replace(settings, limits=IngestLimits()),
                          embedder=type(fake_embedder)())
    assert report.added == ("long",)


def test_upload_limits_apply_to_the_extracted_text(tmp_path: Path) -> None:
    small_docx = docx(paragraph("数据" * 5_000))  # well under the upload byte limit
    assert len(small_docx) < 2_000
    with pytest.raises(AskbjError, match=r"Cannot add big\.docx: 10,000 characters"):
        save_upload(tmp_path, "big.docx", small_docx, limits=IngestLimits(max_chars=1000))
    assert list(tmp_path.iterdir()) == []
    assert save_upload(tmp_path, "fine.docx", small_docx).exists()


def test_a_parser_stuck_inside_one_call_is_stopped(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The clock checks between pages cannot stop a parser that never returns from one page:
    the parse runs in a child process, which the limit stops."""
    import time

    from askbj.ingest import sources

    def stuck(data: bytes, limits: IngestLimits) -> str:
        time.sleep(30)  # one page that takes forever
        return GOOD

    monkeypatch.setattr(sources, "pdf_text", stuck)
    ingest = ingest_with(tmp_path, {"stuck.pdf": chinese_pdf(GOOD)})
    docs, warnings = load_documents(ingest, IngestLimits(parse_seconds=0.5))
    assert [d.doc_id for d in docs] == ["good"]
    assert "was stopped" in skipped(warnings, "stuck.pdf")
