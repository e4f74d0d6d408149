"""Reading the ingest folder: manifest, decoding, PDF and .docx, bad files, the real corpus."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from askbj import engine
from askbj.config import Settings
from askbj.errors import AskbjError
from askbj.ingest.sources import decode, file_hashes, load_documents

from office_files import chinese_pdf, docx, latin_pdf, paragraph, scanned_pdf

REAL_INGEST = Path(__file__).resolve().parents[2] / "ingest"

# Paragraphs from the corpus: 000 (simplified) and 001 (traditional, glosses removed).
SIMPLIFIED = (
    "2025年3月5日,习近平总书记在参加十四届全国人大三次会议江苏代表团审议时强调,"
    "“圆满实现‘十四五’发展目标,经济大省要挑大梁。”这意味着,经济大省不仅要在体量上"
    "撑起发展大盘,更要在结构转型、制度创新等方面发挥引领作用。"
)
TRADITIONAL = (
    "2025年3月5日,習近平總書記在參加十四屆全國人大三次會議江蘇代表團審議時強調,"
    "“圓滿實現‘十四五’發展目標,經濟大省要挑大梁。”這意味著,經濟大省不僅要在體量上"
    "撐起發展大盤,更要在結構轉型、制度創新等方面發揮引領作用。"
)


def make_ingest(tmp_path: Path, files: dict[str, bytes], manifest: str | None = None) -> Path:
    ingest = tmp_path / "ingest"
    ingest.mkdir()
    for name, data in files.items():
        (ingest / name).write_bytes(data)
    if manifest is not None:
        (ingest / "sources.toml").write_text(manifest, encoding="utf-8")
    return ingest


def test_manifest_metadata_applied(tmp_path: Path) -> None:
    raw = "## 标题\n\n正文第一段。\n".encode()
    ingest = make_ingest(
        tmp_path,
        {"a.txt": raw},
        """
        [[document]]
        file = "a.txt"
        id = "doc-a"
        title = "一篇文章"
        authors = ["张三", "李四"]
        venue = "《某刊》2025年第1期"
        date = 2025-01-17
        lang = "zh-Hans"
        same_as = "other"
        """,
    )
    docs, warnings = load_documents(ingest)
    assert warnings == []
    (doc,) = docs
    assert (doc.doc_id, doc.title, doc.authors) == ("doc-a", "一篇文章", ("张三", "李四"))
    assert (doc.venue, doc.date, doc.lang) == ("《某刊》2025年第1期", "2025-01-17", "zh-Hans")
    assert doc.path == "ingest/a.txt"
    assert doc.sha256 == hashlib.sha256(raw).hexdigest()
    assert doc.text == "标题\n\n正文第一段。"
    assert len(doc.offsets) == len(doc.text)


def test_file_without_entry_still_ingests(tmp_path: Path) -> None:
    ingest = make_ingest(
        tmp_path,
        {"My Report 2023.md": "正文。".encode(), "北京报告.txt": "正文。".encode()},
        '[[document]]\nfile = "other.txt"\nid = "x"\n',
    )
    docs, _ = load_documents(ingest)
    by_title = {d.title: d for d in docs}
    assert by_title["My Report 2023"].doc_id == "my-report-2023"
    assert by_title["北京报告"].doc_id.startswith("doc-")
    assert by_title["北京报告"].authors == ()


def test_slug_collision_gets_a_suffix(tmp_path: Path) -> None:
    ingest = make_ingest(tmp_path, {"a b.txt": "甲。".encode(), "a-b.md": "乙。".encode()})
    docs, warnings = load_documents(ingest)
    assert sorted(d.doc_id for d in docs) == ["a-b", "a-b-2"]
    assert any("already taken" in w for w in warnings)


def test_manifest_entry_for_missing_file_warns(tmp_path: Path) -> None:
    ingest = make_ingest(
        tmp_path,
        {"a.txt": "正文。".encode()},
        '[[document]]\nfile = "gone.txt"\nid = "gone"\n\n[[document]]\nfile = "a.txt"\n',
    )
    docs, warnings = load_documents(ingest)
    assert [d.doc_id for d in docs] == ["a"]
    assert len(warnings) == 1 and "gone.txt" in warnings[0]


def test_malformed_manifest_raises(tmp_path: Path) -> None:
    ingest = make_ingest(tmp_path, {"a.txt": b"x"}, '[[document]]\nfile = "a.txt\n')
    with pytest.raises(AskbjError, match=r"sources\.toml.*not valid TOML.*line"):
        load_documents(ingest)


@pytest.mark.parametrize(
    "manifest",
    [
        '[[document]]\nfile = "a.txt"\nauthors = 3\n',
        '[[document]]\ntitle = "no file"\n',
        '[[document]]\nfile = "a.txt"\nid = "bad id/"\n',
        '[[document]]\nfile = "a.txt"\nid = "x"\n[[document]]\nfile = "b.txt"\nid = "x"\n',
        'document = "not a table"\n',
    ],
)
def test_invalid_manifest_entries_raise(tmp_path: Path, manifest: str) -> None:
    ingest = make_ingest(tmp_path, {"a.txt": "正文。".encode()}, manifest)
    with pytest.raises(AskbjError, match=r"sources\.toml"):
        load_documents(ingest)


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (SIMPLIFIED, "gb18030"),
        (TRADITIONAL, "gb18030"),
        (TRADITIONAL, "big5"),
        (TRADITIONAL, "cp950"),
        (SIMPLIFIED, "utf-8-sig"),
        (TRADITIONAL, "utf-16"),
    ],
)
def test_legacy_encodings_decoded(tmp_path: Path, text: str, encoding: str) -> None:
    data = text.encode(encoding)
    assert decode(data) == text
    ingest = make_ingest(tmp_path, {"doc.txt": data})
    (doc,) = load_documents(ingest)[0]
    assert doc.text == text
    assert doc.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("word", ["數字經濟", "新型基礎設施筑基", "北京", "臺灣"])
def test_short_big5_text_is_not_mistaken_for_gb18030(word: str) -> None:
    assert decode(word.encode("big5")) == word


def test_bad_files_skipped_with_warning(tmp_path: Path) -> None:
    ingest = make_ingest(
        tmp_path,
        {
            "empty.txt": b"",
            "blank.md": b" \n\n ",
            "binary.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "garbage.txt": b"abc \x80\xff\x80\xff",
            "shiftjis.txt": "日本語のテキストです。データ経済".encode("shift_jis"),
            "good.txt": SIMPLIFIED.encode(),
            "report.doc": b"\xd0\xcf\x11\xe0 an old Word file",
        },
    )
    docs, warnings = load_documents(ingest)
    assert [d.doc_id for d in docs] == ["good"]
    expected = {
        "empty.txt": "empty",
        "blank.md": "no text",
        "binary.txt": "binary",
        "garbage.txt": "not valid",
        "shiftjis.txt": "gibberish",
        "report.doc": "unsupported",
    }
    assert len(warnings) == len(expected)
    for name, reason in expected.items():
        assert any(name in w and reason in w for w in warnings), (name, warnings)


def test_file_hashes_cover_supported_files_only(tmp_path: Path) -> None:
    files = {"a.txt": b"one", "b.md": b"two", "c.pdf": b"three", "d.docx": b"4", "e.rtf": b"5"}
    ingest = make_ingest(tmp_path, files, "# empty manifest\n")
    assert file_hashes(ingest) == {
        name: hashlib.sha256(data).hexdigest() for name, data in files.items() if name[0] in "abcd"
    }


def test_missing_ingest_folder_raises(tmp_path: Path) -> None:
    with pytest.raises(AskbjError, match="does not exist"):
        load_documents(tmp_path / "nope")


def test_real_ingest_folder() -> None:
    docs, warnings = load_documents(REAL_INGEST)
    assert warnings == []
    assert [d.doc_id for d in docs] == ["000", "001", "002", "003", "004"]
    assert all(d.title and d.text and d.authors and d.lang for d in docs)
    assert {d.lang for d in docs} == {"zh-Hans", "zh-Hant"}
    assert all(d.path.startswith("ingest/") for d in docs)
    raw = (REAL_INGEST.parent / docs[1].path).read_text(encoding="utf-8")
    for ch, off in zip(docs[1].text, docs[1].offsets, strict=True):
        assert ch.isspace() or raw[off] == ch


PDF_ZH = "北京市数字经济增加值占地区生产总值比重达到百分之四十二点九，居全国前列。"
DOCX_BODY = (
    paragraph("一、算力", "布局")
    + paragraph("北京以中关村科学城为核心", "建设算力走廊，", "形成一廊四极的格局。")
    + '<w:p><w:r><w:delText>删掉的旧句子。</w:delText></w:r></w:p>'
    + "<w:tbl><w:tr><w:tc>" + paragraph("海淀区") + "</w:tc><w:tc>"
    + paragraph("智算中心") + "</w:tc></w:tr></w:tbl>"
    + '<w:p><w:r><w:t>主文</w:t></w:r><w:r><w:txbxContent>'
    + paragraph("文本框里的话") + "</w:txbxContent></w:r></w:p>"
)
DOCX_TEXT = (
    "一、算力布局\n\n北京以中关村科学城为核心建设算力走廊，形成一廊四极的格局。\n\n"
    "海淀区\n\n智算中心\n\n主文\n\n文本框里的话"
)


def test_pdf_and_docx_text_is_extracted_exactly(tmp_path: Path) -> None:
    ingest = make_ingest(tmp_path, {
        "zh.pdf": chinese_pdf(PDF_ZH),
        "en.pdf": latin_pdf(["Quantum ledger pilots in Haidian.", "Second line here."]),
        "plan.docx": docx(DOCX_BODY),
    })
    docs, warnings = load_documents(ingest)
    assert warnings == []
    by_id = {d.doc_id: d for d in docs}
    assert by_id["zh"].text == PDF_ZH
    assert by_id["en"].text.split() == "Quantum ledger pilots in Haidian. Second line here.".split()
    # runs joined, deleted text left out, table cells and the text box each read once
    assert by_id["plan"].text == DOCX_TEXT
    assert by_id["plan"].path == "ingest/plan.docx" and by_id["plan"].title == "plan"
    data = (ingest / "plan.docx").read_bytes()
    assert by_id["plan"].sha256 == hashlib.sha256(data).hexdigest()


def test_pdf_and_docx_take_manifest_metadata_and_are_searchable(
    tmp_path: Path, fake_embedder: Any
) -> None:
    ingest = make_ingest(
        tmp_path,
        {"zh.pdf": chinese_pdf(PDF_ZH), "plan.docx": docx(DOCX_BODY), "t.txt": SIMPLIFIED.encode()},
        '[[document]]\nfile = "zh.pdf"\nid = "p1"\ntitle = "统计公报"\nauthors = ["北京市统计局"]\n'
        '[[document]]\nfile = "plan.docx"\nid = "d1"\ntitle = "算力规划"\ndate = "2024"\n',
    )
    settings = Settings(ingest_dir=ingest, index_dir=tmp_path / "index")
    report = engine.build(settings, embedder=fake_embedder)
    assert report.added == ("d1", "p1", "t") and report.warnings == ()
    searcher = engine.open_searcher(settings, fake_embedder)
    assert searcher.index.document("p1").authors == ("北京市统计局",)
    assert searcher.index.document("d1").date == "2024"
    for question, doc_id in (("地区生产总值比重", "p1"), ("一廊四极", "d1"), ("智算中心", "d1")):
        (hit,) = searcher.search(question, k=1, mode="bm25")
        assert hit.chunk.doc_id == doc_id, question


def test_bad_pdf_and_docx_are_warnings_naming_them(tmp_path: Path) -> None:
    good = latin_pdf(["Quantum ledger pilots in Haidian."])
    ingest = make_ingest(tmp_path, {
        "good.pdf": good,
        "truncated.pdf": good[: len(good) // 3],
        "notapdf.pdf": SIMPLIFIED.encode(),
        "scan.pdf": scanned_pdf(),
        "broken.docx": docx(DOCX_BODY)[:100],
        "empty.docx": docx(""),
        "plain.txt": SIMPLIFIED.encode(),
    })
    docs, warnings = load_documents(ingest)
    assert [d.doc_id for d in docs] == ["good", "plain"]
    expected = {
        "truncated.pdf": "not a readable PDF",
        "notapdf.pdf": "not a readable PDF",
        "scan.pdf": "no extractable text",
        "broken.docx": "not a readable .docx",
        "empty.docx": "no text",
    }
    assert len(warnings) == len(expected), warnings
    for name, reason in expected.items():
        assert any(w.startswith(f"skipped {name}:") and reason in w for w in warnings), name


def test_docx_reader_survives_deep_nesting(tmp_path: Path) -> None:
    deep = "<w:r>" * 5000 + "<w:t>深处的文字</w:t>" + "</w:r>" * 5000
    ingest = make_ingest(tmp_path, {"deep.docx": docx(f"<w:p>{deep}</w:p>")})
    docs, warnings = load_documents(ingest)
    assert warnings == [] and docs[0].text == "深处的文字"


def test_pdf_with_a_broken_character_still_ingests(tmp_path: Path, fake_embedder: Any) -> None:
    """pypdf passes lone surrogates through; OpenCC and the model would crash on them."""
    ingest = make_ingest(tmp_path, {"odd.pdf": chinese_pdf("北京\ud800数字经济标杆城市建设。")})
    settings = Settings(ingest_dir=ingest, index_dir=tmp_path / "index")
    engine.build(settings, embedder=fake_embedder)
    doc = engine.open_index(settings).document("odd")
    assert doc.text == "北京\ufffd数字经济标杆城市建设。"
