"""The chat page, run headless with ``streamlit.testing.v1.AppTest`` over the tiny index:
answers with inline markers and numbered sources, the source viewer, examples, abstaining,
clearing, and that nothing from a user or a document is ever rendered as markup."""

from __future__ import annotations

import html
import re
from pathlib import Path

from ui import session as ui

from askbj.records import Answer

from app_helpers import (
    CORPUS_MARKUP,
    HOSTILE_QUESTION,
    HOSTILE_TITLE,
    QA,
    UNANSWERABLE,
    ask,
    assert_inert,
    markdown_of,
    rendered,
    start,
)

pytest_plugins = ["app_helpers"]  # the tiny_home and fake_app fixtures


def test_empty_chat_offers_examples_and_shows_index_status(fake_app: Path) -> None:
    at = start()
    labels = [b.label for b in at.button]
    assert all(q in labels for q in ui.examples())
    assert any(re.search(r"[\u4e00-\u9fff]", q) for q in ui.examples())
    assert any(re.fullmatch(r"[ -~]+", q) for q in ui.examples())
    status = " ".join(m.value for m in at.sidebar.markdown)
    assert "fake/hashed" in html.unescape(status) and "11 passages" in status
    assert "matches ingest/" in status


def test_question_gets_answer_with_inline_markers_and_numbered_sources(fake_app: Path) -> None:
    at = start()
    turn = ask(at, "2023年北京市数字经济增加值是多少?")
    answer: Answer = turn.answer
    assert not answer.abstained and answer.citations
    assert "18766.7" in answer.text
    [answer_md] = markdown_of(at, "askbj-answer")
    assert 'class="askbj-ref">[1]</span>' in answer_md
    assert_inert(answer_md, "18766.7")
    sources = markdown_of(at, "askbj-src")
    assert len(sources) == len({c.n for c in answer.citations})
    assert_inert(sources[0], "[1]", "北京数字经济统计简报", "一、发展规模", "18766.7")
    assert any(e.label.startswith("&#91;1&#93;") for e in at.expander)


def test_source_viewer_highlights_cited_sentence_with_context_and_metadata(
    fake_app: Path,
) -> None:
    at = start()
    answer = ask(at, "北京国际大数据交易所推出的数据交易平台叫什么?").answer
    quote = answer.citations[0].quote
    [viewer] = [m.value for m in at.markdown if "askbj-passage" in m.value][:1]
    tags, text = rendered(viewer)
    assert "mark" in tags and quote in text
    marked = html.unescape(re.sub(r"<[^>]+>", "", re.search(r"<mark>(.*?)</mark>", viewer)[1]))
    assert marked == quote
    meta = " ".join(m.value for m in at.markdown if "askbj-meta" in m.value)
    assert all(s in html.unescape(meta) for s in ("北京数字经济发展观察", "张三、李四",
                                                  "《测试期刊》2024年第1期", "2024"))
    assert "also in" in html.unescape(" ".join(markdown_of(at, "askbj-src")))
    assert "北京數字經濟發展觀察" in html.unescape(" ".join(markdown_of(at, "askbj-src")))


def test_example_button_asks_its_question(fake_app: Path) -> None:
    at = start()
    at.button(key="example_0").click().run()
    assert not at.exception
    history = at.session_state["history"]
    assert [t.role for t in history] == ["user", "assistant"]
    assert history[0].text == ui.examples()[0]
    assert not [b for b in at.button if b.label in ui.examples()]


def test_unanswerable_question_abstains_with_possibly_related_passages(fake_app: Path) -> None:
    at = start()
    answer = ask(at, UNANSWERABLE).answer
    assert answer.abstained and not answer.citations
    assert at.info and "没有找到" in html.unescape(at.info[0].value)
    assert not markdown_of(at, "askbj-answer")
    assert "Possibly related passages" in [c.value for c in at.caption]
    assert len(at.expander) == min(3, len(answer.hits)) > 0


def test_markup_in_a_question_is_shown_as_literal_text(fake_app: Path) -> None:
    at = start()
    ask(at, HOSTILE_QUESTION)
    [user] = markdown_of(at, "askbj-user")
    assert "<script>" not in user and "**bold**" not in user
    assert_inert(user, HOSTILE_QUESTION)
    tags, _ = rendered(user)
    assert not tags & {"script", "strong", "em"}
    everything = "".join(m.value for m in at.markdown)
    assert "<script" not in everything


def test_markup_in_a_document_is_shown_as_literal_text(fake_app: Path) -> None:
    at = start()
    answer = ask(at, "上海建成了多少家智能工厂?").answer
    assert answer.citations and answer.citations[0].doc_id == "c"
    for markup in markdown_of(at, "askbj-src") + [m.value for m in at.markdown
                                                  if "askbj-passage" in m.value]:
        assert_inert(markup)
    assert_inert(markdown_of(at, "askbj-src")[0], HOSTILE_TITLE)
    assert any(CORPUS_MARKUP in rendered(m.value)[1] for m in at.markdown
               if "askbj-passage" in m.value)
    for e in at.expander:
        assert "<i>" not in e.label and "**" not in e.label


def test_clear_conversation_empties_the_chat(fake_app: Path) -> None:
    at = start()
    ask(at, QA[0][0])
    assert at.chat_message
    at.button(key="clear").click().run()
    assert at.session_state["history"] == [] and not at.chat_message
    assert any(b.label == ui.examples()[0] for b in at.button)


def test_empty_or_overlong_questions_are_handled(fake_app: Path) -> None:
    at = start()
    turn = ask(at, "   ")
    assert turn.role == "user" or bool(turn.error) or turn.answer.abstained
    long_turn = ask(at, "北京数字经济" * 500)
    assert "only the first" in long_turn.answer.notice


def test_follow_up_is_read_in_the_chat_history_and_shows_what_was_searched(
    fake_app: Path,
) -> None:
    at = start()
    ask(at, "上海建成了多少家智能工厂?")
    turn = ask(at, "那深圳呢?")
    answer: Answer = turn.answer
    assert answer.question == "那深圳呢?"
    assert answer.resolved_question == "深圳建成了多少家智能工厂?"
    assert "Searched: 深圳建成了多少家智能工厂?" in turn.caption
    assert any("Searched: 深圳" in html.unescape(c.value) for c in at.caption)
    # a question asked in full after a topic change is searched as typed, with no such line
    turn = ask(at, "2023年北京市数字经济增加值是多少?")
    assert turn.answer.resolved_question == "2023年北京市数字经济增加值是多少?"
    assert "Searched:" not in turn.caption and "18766.7" in turn.answer.text
