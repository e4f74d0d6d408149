"""Which files ingest reads (regular files inside ingest/ only) and how it decodes them
(UTF-16 without a byte-order mark, files mixing encodings line by line)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from askbj.ingest.decode import decode
from askbj.ingest.sources import file_hashes, load_corpus, load_documents

TEXT = "北京数字经济发展报告：数据交易平台与算力设施的建设情况。\n第二行讲人工智能产业。\n"


def folder(tmp_path: Path) -> Path:
    ingest = tmp_path / "ingest"
    ingest.mkdir()
    (ingest / "a.txt").write_text(TEXT, encoding="utf-8")
    return ingest


def test_a_link_out_of_ingest_is_skipped_with_a_warning(tmp_path: Path) -> None:
    ingest = folder(tmp_path)
    secret = tmp_path / "passwd.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    os.symlink(secret, ingest / "passwd.txt")
    os.symlink("/etc/passwd", ingest / "etc.txt")
    docs, warnings = load_documents(ingest)
    assert [d.doc_id for d in docs] == ["a"]
    assert all("root:x:0" not in d.text for d in docs)
    for name in ("passwd.txt", "etc.txt"):
        assert any(w.startswith(f"skipped {name}: a link to") and "outside" in w
                   for w in warnings)
    assert set(file_hashes(ingest)) == {"a.txt"}  # never makes the index look stale


def test_a_link_inside_ingest_is_read(tmp_path: Path) -> None:
    ingest = folder(tmp_path)
    os.symlink(ingest / "a.txt", ingest / "b.txt")
    docs, warnings = load_documents(ingest)
    assert [d.doc_id for d in docs] == ["a", "b"] and warnings == []


def test_a_fifo_is_not_read(tmp_path: Path) -> None:
    ingest = folder(tmp_path)
    os.mkfifo(ingest / "pipe.txt")  # reading it would block the ingest forever
    docs, _ = load_documents(ingest)
    assert [d.doc_id for d in docs] == ["a"]
    assert set(file_hashes(ingest)) == {"a.txt"}


def test_hashes_are_of_the_bytes_read(tmp_path: Path) -> None:
    ingest = folder(tmp_path)
    corpus = load_corpus(ingest)
    digest = hashlib.sha256(TEXT.encode("utf-8")).hexdigest()
    assert corpus.hashes == {"a.txt": digest} == file_hashes(ingest)
    assert corpus.documents[0].sha256 == digest
    (ingest / "a.txt").write_text(TEXT + "补充。", encoding="utf-8")
    assert file_hashes(ingest)["a.txt"] != digest  # an edit is seen, cache or not


@pytest.mark.parametrize("encoding", ["utf-16-be", "utf-16-le"])
def test_utf16_without_bom_is_decoded(encoding: str) -> None:
    assert decode(TEXT.encode(encoding)) == TEXT
    assert decode("Beijing digital economy\n".encode(encoding)) == "Beijing digital economy\n"


def test_utf16_be_file_without_bom_is_ingested(tmp_path: Path) -> None:
    ingest = tmp_path / "ingest"
    ingest.mkdir()
    (ingest / "be.txt").write_bytes(TEXT.encode("utf-16-be"))
    docs, warnings = load_documents(ingest)
    assert warnings == [] and docs[0].text.startswith("北京数字经济发展报告")


@pytest.mark.parametrize("data", [b"\x00\x01binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"])
def test_binary_is_still_binary(data: bytes) -> None:
    with pytest.raises(ValueError, match="binary"):
        decode(data)


def test_mixed_encodings_are_decoded_line_by_line() -> None:
    lines = ["北京数字经济发展报告的第一行，用的是UTF-8编码。",
             "第二行由另一个编辑器保存成了GB18030编码的文字。",
             "第三行又回到UTF-8编码，讲数据交易平台的建设。"]
    data = b"\n".join([lines[0].encode("utf-8"), lines[1].encode("gb18030"),
                       lines[2].encode("utf-8")])
    assert decode(data) == "\n".join(lines)


def test_mixed_file_is_ingested_not_dropped(tmp_path: Path) -> None:
    ingest = tmp_path / "ingest"
    ingest.mkdir()
    data = ("第一行是UTF-8编码的北京数字经济。\n".encode()
            + "第二行是GB18030编码的数据交易。".encode("gb18030"))
    (ingest / "mixed.txt").write_bytes(data)
    docs, warnings = load_documents(ingest)
    assert warnings == [] and "数据交易" in docs[0].text and "北京数字经济" in docs[0].text
