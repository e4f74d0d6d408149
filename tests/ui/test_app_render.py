"""The pure helpers of ``askbj.ui`` behind the app's pages, in particular that nothing
from a user or a document is ever rendered as markup."""

from __future__ import annotations

import pytest

from askbj.errors import AskbjError
from askbj.records import Answer, Chunk, Citation, Document
from ui import session as ui

from app_helpers import assert_inert, rendered


@pytest.mark.parametrize("text", [
    "<script>alert(1)</script>", "**bold** _it_ `code` ~~s~~", "[x](javascript:alert(1))",
    "# heading\n- item\n1. one\n> quote", "$x^2$ :red[red] :smile:", "&lt; &amp; &#60;",
    "<img src=x onerror=alert(1)>", "line\n\n\n    indented code", "a | b\n--|--\n1 | 2",
])
def test_literal_and_html_block_render_exactly_the_text(text: str) -> None:
    tags, shown = rendered(ui.html_block(ui.literal(text), "x"))
    assert tags <= {"div", "br"}
    assert shown == text.replace("\n", "")
    md_tags, md_shown = rendered(ui.md_literal(text))
    assert md_tags <= {"p", "br"}
    assert [s.strip() for s in md_shown.split("\n") if s.strip()] == [
        s.strip() for s in text.split("\n") if s.strip()]


def _doc_and_chunk() -> tuple[Document, Chunk]:
    text = "前文。第一句<b>。第二句**加粗**。后文。"
    doc = Document("d1", "d1.txt", "T<i>", text, "0")
    start = text.index("第一句")
    end = text.index("后文")
    return doc, Chunk("c1", "d1", start, end, text[start:end], ("一、节",))


def test_passage_view_marks_exactly_the_cited_spans() -> None:
    doc, chunk = _doc_and_chunk()
    s = doc.text.index("第二句")
    source = ui.Source(1, chunk, doc, ((s, s + len("第二句**加粗**。")),))
    view = ui.passage_view(source, context=3)
    assert view.before == "前文。" and view.after == "后文。"
    assert "".join(t for t, _ in view.segments) == chunk.text
    assert [t for t, marked in view.segments if marked] == ["第二句**加粗**。"]
    markup = ui.passage_html(view)
    assert_inert(markup, "第一句<b>。", "第二句**加粗**。")
    assert "<mark>第二句&#42;&#42;加粗&#42;&#42;。</mark>" in markup


def test_answer_html_styles_only_its_own_markers() -> None:
    _, chunk = _doc_and_chunk()
    cite = Citation(1, "c1", "d1", "T", (), chunk.start, chunk.start + 4, "第一句<", chunk.text)
    answer = Answer("q", "正文[4]说<b>x</b>[1]", False, (cite,))
    markup = ui.answer_html(answer)
    assert markup.count('class="askbj-ref"') == 1
    assert_inert(markup, "正文[4]说<b>x</b>[1]")


def test_partial_answer_is_set_apart_and_labelled() -> None:
    _, chunk = _doc_and_chunk()
    cite = Citation(1, "c1", "d1", "T", (), chunk.start, chunk.start + 4, "第一句<", chunk.text)
    partial = Answer("q", "文档提到了X[1]，但没有给出Y。", True, (cite,), status="partial")
    markup = ui.answer_html(partial)
    assert "askbj-partial" in markup and "Partial answer" in markup
    assert markup.count('class="askbj-ref"') == 1
    full = ui.answer_html(Answer("q", "正文[1]", False, (cite,)))
    assert "askbj-partial" not in full and "Partial answer" not in full


def test_sources_group_citations_by_number_and_name_alternate_documents() -> None:
    doc, chunk = _doc_and_chunk()
    twin = Chunk("c2", "d2", 0, 5, "第一句<b>", ())
    other = Document("d2", "d2.txt", "繁體版", "第一句<b>。", "1")

    passages = (chunk, twin)

    class FakeIndex:
        documents = (doc, other)
        chunks = passages

        def document(self, doc_id: str) -> Document:
            return {d.doc_id: d for d in self.documents}[doc_id]

        def chunk(self, chunk_id: str) -> Chunk | None:
            return next((c for c in self.chunks if c.chunk_id == chunk_id), None)

    cites = tuple(Citation(1, "c1", "d1", "T", (), s, s + 3, doc.text[s : s + 3], chunk.text,
                           ("c2",)) for s in (chunk.start, chunk.start + 7))
    answer = Answer("q", "x[1]y[1]", False, cites)
    [source] = ui.sources_of(answer, FakeIndex())  # type: ignore[arg-type]
    assert source.n == 1 and len(source.spans) == 2
    assert ui.alternate_titles(source, FakeIndex()) == ["繁體版"]  # type: ignore[arg-type]
    item = ui.source_item_html(source, ["繁體版"])
    assert_inert(item, "[1]", "T<i>", "一、节", "also in: 繁體版")


def test_evaluation_tables_and_hit_curve() -> None:
    from askbj.evaluate.questions import Gold

    gold = {"q1": Gold({"": ("答案",)}), "q2": Gold({"": ("没有",)}), "u": Gold({})}
    hits = lambda *texts: [{"rank": i, "text": t, "chunk_id": str(i)}  # noqa: E731
                           for i, t in enumerate(texts, 1)]
    runs = {m: {"summary": {"metrics": {"overall": {"n": 2.0, "hit@1": v, "hit@5": v,
                                                    "mrr@10": v, "ndcg@10": v}}},
                "questions": [{"id": "q1", "lang": "zh", "question": "一", "hits": h},
                              {"id": "q2", "lang": "zh", "question": "二", "hits": hits("x")},
                              {"id": "u", "lang": "en", "question": "u", "hits": []}]}
            for m, v, h in (("hybrid", 0.5, hits("x", "答案")), ("bm25", 0.0, hits("x")))}
    curve = ui.hit_curve(runs, gold, kmax=3)
    assert [r["hybrid"] for r in curve] == [0.0, 0.5, 0.5]
    assert [r["bm25"] for r in curve] == [0.0, 0.0, 0.0]
    rows = {r["id"]: r for r in ui.question_rows(runs, gold)}
    assert rows["q1"]["hybrid"] == "2" and rows["q1"]["bm25"] == "miss"
    assert rows["q1"]["status"] == "△ partial" and rows["q2"]["status"] == "✗ missed"
    assert rows["u"]["status"] == "unjudged"
    table = ui.metrics_side_by_side(runs)
    assert table[0] == {"scope": "overall", "n": 2, "metric": "hit@1", "hybrid": 0.5,
                        "bm25": 0.0}
    assert ui.status_style("✗ missed") and not ui.status_style("✓ found")


def test_uploaded_question_errors_name_the_upload() -> None:
    found = ui.read_uploaded_questions(
        b'{"id": "1", "question": "q", "evidence": ["e"]}\n', "x.jsonl")
    assert found.questions[0].question == "q" and found.gold["1"].answerable
    mixed = ui.read_uploaded_questions(b'{"id": "1", "question": "q"}\n{', "x.jsonl")
    assert [q.id for q in mixed.questions] == ["1"] and [e.line for e in mixed.errors] == [2]
    with pytest.raises(AskbjError, match=r"^x\.jsonl:1"):  # no readable question at all
        ui.read_uploaded_questions(b'{\n', "x.jsonl")
