"""The Streamlit app and its pages, run headless with ``streamlit.testing.v1.AppTest``.

Most tests use a tiny index built in tmp with the fake embedder (the app is pointed at it
through ``ASKBJ_HOME`` and ``askbj.ui.EMBEDDER_FACTORY``); the ``integration`` ones run the
real default model over the real corpus. Also here: the pure helpers of ``askbj.ui``,
in particular that nothing from a user or a document is ever rendered as markup.
"""

from __future__ import annotations

import html
import re
import shutil
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from askbj import pipeline, ui
from askbj.errors import AskbjError
from askbj.generate import FALLBACK, MAX_PASSAGES
from askbj.normalize import looks_traditional, to_traditional
from askbj.records import Answer, Chunk, Citation, Document
from fake_llm_server import FakeLLM, Reply
from fakes import FakeEmbedder

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "streamlit_app.py"
TIMEOUT = 120
CORPUS_MARKUP = "<script>alert(1)</script>[链接](javascript:alert(1)) _斜体_ x<y"
HOSTILE_TITLE = "典型城市 <i>数字经济</i> **经验** [比较](javascript:alert(1))"
DOCS = {
    "a.txt": (
        "一、数据交易\n\n"
        "北京国际大数据交易所推出了国内首个“可用不可见，可控可计量”的数据交易平台IDeX系统，"
        "为数据要素市场化配置提供了新的路径，该平台已经服务数百家机构。\n\n"
        "二、算力布局\n\n"
        "北京以中关村科学城为核心算力走廊，协同怀柔科学城、未来科学城、北京经济技术开发区和"
        "首钢园四极联动，形成“一廊四极”的算力空间格局，支撑人工智能大模型训练。\n\n"
        "三、自动驾驶\n\n"
        "北京高级别自动驾驶示范区于2020年9月启动建设，累计发布地方标准和规范四十余项，"
        "测试里程持续增长，车路云一体化方案在亦庄落地。\n"
    ),
    "b.txt": (
        "一、发展规模\n\n"
        "据测算，2023年北京市数字经济实现增加值18766.7亿元，同比增长8.5%，占地区生产总值"
        "比重达到42.9%，数字经济已经成为推动首都高质量发展的重要引擎。\n\n"
        "二、人工智能\n\n"
        "截至2023年10月，北京已发布人工智能大模型122个，约占全国总数的一半，"
        "北京人工智能核心企业数量超过两千家，居全国首位。\n"
    ),
    "c.txt": (
        "一、上海经验\n\n"
        "上海累计建成国家级智能工厂14家、市级智能工厂200家，智能工厂平均生产效率提升50%以上，"
        f"运营成本平均下降30%左右，带动制造业数字化转型。{CORPUS_MARKUP}\n\n"
        "二、深圳经验\n\n"
        "深圳数字经济核心产业增加值超过万亿元，占全市地区生产总值比重约31%，"
        "电子信息制造业规模连续多年位居全国大中城市首位。\n\n"
        "三、杭州经验\n\n"
        "杭州依托电子商务平台企业，打造数字贸易先行区，跨境电商进出口额年均增长超过百分之二十，"
        "数字安防产业集群具有全球竞争力。\n"
    ),
}
SOURCES_TOML = f"""
[[document]]
file = "a.txt"
id = "a"
title = "北京数字经济发展观察"
authors = ["张三", "李四"]
venue = "《测试期刊》2024年第1期"
date = "2024"
lang = "zh-Hans"

[[document]]
file = "b.txt"
id = "b"
title = "北京数字经济统计简报"
lang = "zh-Hans"

[[document]]
file = "c.txt"
id = "c"
title = "{HOSTILE_TITLE}"
lang = "zh-Hans"

[[document]]
file = "d.txt"
id = "d"
title = "北京數字經濟發展觀察"
lang = "zh-Hant"
"""
QUESTIONS_JSONL = "\n".join([
    '{"id": "q1", "question": "北京国际大数据交易所推出的数据交易平台叫什么?", "lang": "zh-Hans",'
    ' "evidence": ["数据交易平台IDeX系统"]}',
    '{"id": "q2", "question": "上海建成了多少家智能工厂?", "lang": "zh-Hans",'
    ' "evidence": ["c:市级智能工厂200家"]}',
    '{"id": "q3", "question": "What share of GDP is Shenzhen\'s digital economy?", "lang": "en",'
    ' "evidence": ["占全市地区生产总值比重约31%"]}',
    '{"id": "q4", "question": "量子计算的发展情况如何?", "lang": "zh-Hans",'
    ' "evidence": ["量子计算机已经实现商业化"]}',
    '{"id": "u1", "question": "2022年合肥市数字经济增加值是多少?", "lang": "zh-Hans",'
    ' "evidence": []}',
])
# (question, document of the first citation, text the cited sentence must contain)
QA = [
    ("北京国际大数据交易所推出的数据交易平台叫什么?", "a", "IDeX"),
    ("“一廊四极”指哪些地方?", "a", "怀柔科学城"),
    ("北京高级别自动驾驶示范区什么时候启动建设?", "a", "2020年9月"),
    ("2023年北京市数字经济增加值是多少?", "b", "18766.7"),
    ("北京发布了多少个人工智能大模型?", "b", "122个"),
    ("上海建成了多少家智能工厂?", "c", "200家"),
    ("深圳数字经济核心产业增加值占GDP比重是多少?", "c", "31%"),
    ("杭州跨境电商进出口额增长多少?", "c", "跨境电商"),
]
UNANSWERABLE = "2022年合肥市数字经济增加值是多少?"
HOSTILE_QUESTION = "<script>alert(1)</script> **bold** 北京数据交易平台"


LLM_VARIABLES = ("ASKBJ_LLM_BASE_URL", "ASKBJ_LLM_MODEL", "ASKBJ_LLM_API_KEY",
                 "ASKBJ_LLM_TIMEOUT")


def fake_factory(settings: pipeline.Settings) -> FakeEmbedder:
    return FakeEmbedder()


def write_home(root: Path) -> Path:
    (root / "ingest").mkdir(parents=True, exist_ok=True)
    (root / "eval").mkdir(exist_ok=True)
    for name, text in DOCS.items():
        (root / "ingest" / name).write_text(text, encoding="utf-8")
    (root / "ingest" / "d.txt").write_text(to_traditional(DOCS["a.txt"]), encoding="utf-8")
    (root / "ingest" / "sources.toml").write_text(SOURCES_TOML, encoding="utf-8")
    (root / "eval" / "questions.jsonl").write_text(QUESTIONS_JSONL, encoding="utf-8")
    return root


def settings_of(root: Path) -> pipeline.Settings:
    return pipeline.Settings(ingest_dir=root / "ingest", index_dir=root / "index")


@pytest.fixture(scope="module")
def tiny_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_home(tmp_path_factory.mktemp("tiny"))
    pipeline.build(settings_of(root), embedder=FakeEmbedder())
    return root


@pytest.fixture
def fake_app(tiny_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the app at the tiny index and the fake embedder."""
    monkeypatch.setenv("ASKBJ_HOME", str(tiny_home))
    for name in ("ASKBJ_MODEL", *LLM_VARIABLES):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(ui, "EMBEDDER_FACTORY", fake_factory)
    return tiny_home


def start(page: str | None = None) -> AppTest:
    """The app as a user opens it: the chat, or another page switched to from there."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    if page:
        at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def ask(at: AppTest, question: str) -> dict[str, Any]:
    at.chat_input[0].set_value(question).run()
    assert not at.exception, [e.value for e in at.exception]
    turn: dict[str, Any] = at.session_state["history"][-1]
    return turn


def markdown_of(at: AppTest, css_class: str) -> list[str]:
    return [m.value for m in at.markdown if f'class="{css_class}"' in m.value]


ALLOWED_TAGS = {"div", "span", "b", "br", "mark", "table", "tr", "th", "td", "p"}


def rendered(markup: str) -> tuple[set[str], str]:
    """What a CommonMark renderer with raw HTML on makes of ``markup``: tags and plain text."""
    out = MarkdownIt("commonmark", {"html": True}).render(markup)
    tags = set(re.findall(r"<\s*/?\s*([a-zA-Z][\w-]*)", out))
    text = html.unescape(re.sub(r"<[^>]+>", "", out))
    return tags, text


def assert_inert(markup: str, *originals: str) -> None:
    tags, text = rendered(markup)
    assert tags <= ALLOWED_TAGS, f"markup leaked: {tags - ALLOWED_TAGS} in {markup!r}"
    for original in originals:
        assert original in text


# --- the chat page --------------------------------------------------------------------------

def test_empty_chat_offers_examples_and_shows_index_status(fake_app: Path) -> None:
    at = start()
    labels = [b.label for b in at.button]
    assert all(q in labels for q in ui.EXAMPLES)
    assert any(re.search(r"[\u4e00-\u9fff]", q) for q in ui.EXAMPLES)
    assert any(re.fullmatch(r"[ -~]+", q) for q in ui.EXAMPLES)
    status = " ".join(m.value for m in at.sidebar.markdown)
    assert "fake/hashed" in html.unescape(status) and "11 passages" in status
    assert "matches ingest/" in status


def test_question_gets_answer_with_inline_markers_and_numbered_sources(fake_app: Path) -> None:
    at = start()
    turn = ask(at, "2023年北京市数字经济增加值是多少?")
    answer: Answer = turn["answer"]
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
    answer = ask(at, "北京国际大数据交易所推出的数据交易平台叫什么?")["answer"]
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
    assert [t["role"] for t in history] == ["user", "assistant"]
    assert history[0]["text"] == ui.EXAMPLES[0]
    assert not [b for b in at.button if b.label in ui.EXAMPLES]


def test_unanswerable_question_abstains_with_possibly_related_passages(fake_app: Path) -> None:
    at = start()
    answer = ask(at, UNANSWERABLE)["answer"]
    assert answer.abstained and not answer.citations
    assert at.info and "没有找到" in html.unescape(at.info[0].value)
    assert not markdown_of(at, "askbj-answer")
    assert "Possibly related passages" in [c.value for c in at.caption]
    assert len(at.expander) == min(3, len(answer.hits)) > 0


def test_settings_are_honoured(fake_app: Path) -> None:
    question = "北京人工智能大模型"
    at = start()
    hybrid = ask(at, question)["answer"]
    at.radio(key="mode").set_value("bm25").run()
    bm25_turn = ask(at, question)
    assert "bm25" in bm25_turn["caption"]
    # BM25 returns only passages sharing a word with the question; hybrid fills all k
    assert len(bm25_turn["answer"].hits) < len(hybrid.hits)
    at.radio(key="mode").set_value("hybrid")
    at.multiselect(key="doc_filter").set_value(["c"]).run()
    filtered = ask(at, question)["answer"]
    assert {h.chunk.doc_id for h in filtered.hits} == {"c"}
    assert {c.doc_id for c in filtered.citations} <= {"c"}
    at.slider(key="k").set_value(2)
    at.multiselect(key="doc_filter").set_value([])
    at.selectbox(key="script").set_value("traditional").run()
    trad = ask(at, "2023年北京市数字经济增加值是多少?")["answer"]
    assert len(trad.hits) <= 2 and looks_traditional(trad.text) and "數字經濟" in trad.text


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
    answer = ask(at, "上海建成了多少家智能工厂?")["answer"]
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
    assert any(b.label == ui.EXAMPLES[0] for b in at.button)


def test_empty_or_overlong_questions_are_handled(fake_app: Path) -> None:
    at = start()
    turn = ask(at, "   ")
    assert turn["role"] == "user" or "error" in turn or turn["answer"].abstained
    long_turn = ask(at, "北京数字经济" * 500)
    assert "only the first" in long_turn["answer"].notice


@pytest.fixture
def shared_script_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each AppTest run compiles the script afresh, and CPython 3.11 keeps the AST
    constructor's depth counter in interpreter-wide state, so threads parsing at once can
    fail with "AST constructor recursion depth mismatch": share one script cache, whose
    lock compiles each page once."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    shared = ScriptCache()
    for module in (app_test, local_script_runner):
        monkeypatch.setattr(module, "ScriptCache", lambda: shared)


@pytest.fixture
def thread_safe_apptest(monkeypatch: pytest.MonkeyPatch,
                        shared_script_cache: None) -> Iterator[None]:
    """AppTest is written for one run at a time: each run installs process-wide state — a
    mock Runtime singleton (set back to None when the run ends), the multipage-app flag
    (reset to None when a run starts) and a config option — and a run in another thread
    then finds it gone. Pin all three for this test; the app's own code is untouched."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.runtime import Runtime
    from streamlit.testing.v1 import app_test
    from streamlit.testing.v1.util import patch_config_options

    last: list[Any] = []

    def instance(cls: type[Runtime]) -> Runtime:
        if cls._instance is not None:
            last[:] = [cls._instance]
            return cls._instance
        if last:
            return last[0]  # type: ignore[no-any-return]
        raise RuntimeError("Runtime hasn't been created!")

    class IgnoreReset(type):
        def __setattr__(cls, name: str, value: object) -> None:
            if not (name == "uses_pages_directory" and value is None):
                super().__setattr__(name, value)

    class PinnedPagesManager(PagesManager, metaclass=IgnoreReset):
        pass

    monkeypatch.setattr(Runtime, "instance", classmethod(instance))
    monkeypatch.setattr(Runtime, "exists", classmethod(
        lambda cls: cls._instance is not None or bool(last)))
    monkeypatch.setattr(PagesManager, "uses_pages_directory", (ROOT / "pages").is_dir())
    monkeypatch.setattr(app_test, "PagesManager", PinnedPagesManager)
    with patch_config_options({"global.appTest": True}):
        yield


@pytest.mark.usefixtures("thread_safe_apptest")
def test_eight_concurrent_sessions_each_get_their_own_answer(
    fake_app: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    start()  # load the engine once, so the threads race on answering, not loading
    # every session waits inside `ask` until all eight are there: they truly overlap
    barrier = threading.Barrier(len(QA), timeout=60)
    real_ask = ui.Engine.ask

    def ask_together(self: ui.Engine, question: str, options: ui.AskOptions) -> Answer:
        barrier.wait()
        return real_ask(self, question, options)

    monkeypatch.setattr(ui.Engine, "ask", ask_together)

    def session(question: str) -> AppTest:
        at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
        return at.chat_input[0].set_value(question).run()

    with ThreadPoolExecutor(max_workers=len(QA)) as pool:
        apps = list(pool.map(session, [q for q, _, _ in QA]))
    for (question, doc, fact), at in zip(QA, apps, strict=True):
        assert not at.exception, [e.stack_trace for e in at.exception]
        history = at.session_state["history"]
        assert [t["role"] for t in history] == ["user", "assistant"], question
        answer: Answer = history[1]["answer"]
        assert history[0]["text"] == question and answer.question == question
        [shown] = markdown_of(at, "askbj-user")
        assert rendered(shown)[1].strip() == question
        assert not answer.abstained, question
        assert answer.citations[0].doc_id == doc, question
        assert any(fact in c.quote for c in answer.citations), (question, answer.text)
        assert fact in html.unescape("".join(markdown_of(at, "askbj-answer")))


def test_first_run_builds_the_index_with_progress(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = write_home(tmp_path)
    monkeypatch.setenv("ASKBJ_HOME", str(home))
    monkeypatch.setattr(ui, "EMBEDDER_FACTORY", fake_factory)
    at = start()
    assert "First run" in at.info[0].value
    assert any("Indexed 11 passages" in p.text for p in at.get("progress"))
    assert (home / "index" / "manifest.json").exists()
    assert ask(at, QA[3][0])["answer"].citations


def test_stale_index_is_reported_and_updated_from_the_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = write_home(tmp_path)
    pipeline.build(settings_of(home), embedder=FakeEmbedder())
    (home / "ingest" / "b.txt").write_text(DOCS["b.txt"].replace("122个", "150个"),
                                           encoding="utf-8")
    monkeypatch.setenv("ASKBJ_HOME", str(home))
    monkeypatch.setattr(ui, "EMBEDDER_FACTORY", fake_factory)
    at = start()
    assert at.error and "changed since the index was built" in html.unescape(at.error[0].value)
    at.button(key="fix_index").click().run()
    assert not at.exception and not at.error
    answer = ask(at, "北京发布了多少个人工智能大模型?")["answer"]
    assert any("150个" in c.quote for c in answer.citations)


def test_sidebar_rebuild_button_reindexes(fake_app: Path) -> None:
    at = start()
    at.checkbox(key="rebuild_all").check()
    at.button(key="rebuild").click().run()
    assert not at.exception and not at.sidebar.error
    assert any("11 embedded" in p.text for p in at.sidebar.get("progress"))
    assert ask(at, QA[0][0])["answer"].citations


# --- generated answers ---------------------------------------------------------------------

Q_VALUE = "2023年北京市数字经济增加值是多少?"
SUPPORTED_SENTENCE = "据测算，2023年北京市数字经济实现增加值18766.7亿元"


@pytest.fixture
def llm(fake_app: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeLLM]:
    """The fake OpenAI-compatible server, named to the app through ``ASKBJ_LLM_*``."""
    with FakeLLM(hang_seconds=5.0) as server:
        monkeypatch.setenv("ASKBJ_LLM_BASE_URL", server.base_url)
        monkeypatch.setenv("ASKBJ_LLM_MODEL", "fake-model")
        monkeypatch.setenv("ASKBJ_LLM_TIMEOUT", "5")
        yield server


def passage_number(home: Path, question: str, needle: str) -> int:
    """The number the model sees for the passage holding ``needle`` (app defaults: hybrid, 8)."""
    engine = ui.get_engine(settings_of(home), ui.factory_key())
    hits = engine.answerer.ask(question).hits[:MAX_PASSAGES]
    return next(n for n, h in enumerate(hits, start=1) if needle in h.chunk.text)


def sidebar_text(at: AppTest) -> str:
    return html.unescape(" ".join(m.value for m in at.sidebar.markdown))


def test_sidebar_says_generation_is_off_without_an_endpoint(fake_app: Path) -> None:
    at = start()
    assert ui.LLM_OFF in sidebar_text(at)
    assert not [t for t in at.toggle if t.key == "llm_on"]


def test_sidebar_names_the_model_and_offers_the_switch(llm: FakeLLM) -> None:
    at = start()
    assert f"fake-model at {llm.base_url}" in sidebar_text(at)
    assert at.toggle(key="llm_on").label == "Generate a fluent answer with the LLM"
    assert at.toggle(key="llm_on").value is True
    assert ui.llm_label(ui.LLMConfig("http://me:secret@h:1/v1", "m")) == "m at http://h:1/v1"


def test_streamed_answer_is_replaced_by_its_verified_text_and_sources(
    fake_app: Path, llm: FakeLLM
) -> None:
    n = passage_number(fake_app, Q_VALUE, "18766.7")
    llm.script(Reply("ok", f"{SUPPORTED_SENTENCE}[{n}]。北京的房价全国最低[{n}]。", piece=4))
    at = start()
    turn = ask(at, Q_VALUE)
    answer: Answer = turn["answer"]
    [request] = llm.requests
    assert request.body["stream"] is True and request.body["model"] == "fake-model"
    assert answer.text == f"{SUPPORTED_SENTENCE}[{n}]。" and "房价" in answer.notice
    [answer_md] = markdown_of(at, "askbj-answer")
    assert f'class="askbj-ref">[{n}]</span>' in answer_md
    assert_inert(answer_md, SUPPORTED_SENTENCE)
    assert "房价" not in html.unescape(answer_md)
    sources = markdown_of(at, "askbj-src")
    assert len(sources) == 1 and "18766.7" in html.unescape(sources[0])
    captions = html.unescape(" ".join(c.value for c in at.caption))
    assert "Removed from the generated answer" in captions and "written by fake-model" in captions
    assert not at.warning


def test_model_failure_shows_the_extracted_answer_and_says_why(
    fake_app: Path, llm: FakeLLM
) -> None:
    llm.script(Reply("500"))
    extractive = ui.get_engine(settings_of(fake_app), ui.factory_key()).answerer.ask(Q_VALUE)
    at = start()
    turn = ask(at, Q_VALUE)
    answer = turn["answer"]
    assert len(llm.requests) == 1
    assert (answer.text, answer.citations) == (extractive.text, extractive.citations)
    [warning] = at.warning
    assert FALLBACK in html.unescape(warning.value) and "HTTP 500" in html.unescape(warning.value)
    assert "18766.7" in html.unescape(markdown_of(at, "askbj-answer")[0])
    assert markdown_of(at, "askbj-src") and "written by" not in turn["caption"]


def test_unanswerable_question_never_reaches_the_model(llm: FakeLLM) -> None:
    at = start()
    turn = ask(at, UNANSWERABLE)
    assert turn["answer"].abstained and "没有找到" in html.unescape(at.info[0].value)
    assert llm.requests == [] and "written by" not in turn["caption"]


def test_switch_off_keeps_the_extractive_answer(llm: FakeLLM) -> None:
    at = start()
    at.toggle(key="llm_on").set_value(False).run()
    turn = ask(at, Q_VALUE)
    assert llm.requests == [] and "18766.7" in turn["answer"].text
    assert "written by" not in turn["caption"]


def test_streamed_tokens_are_shown_as_literal_text() -> None:
    tokens = ["<scr", "ipt>alert(1)</", "script> **bo", "ld** [x](javascript:", "y)\n下一行"]
    joined = "".join(ui.stream_literal(tokens))
    tags, text = rendered(joined)
    assert tags <= {"p", "br"}
    assert text.replace("\n", "") == "".join(tokens).replace("\n", "")


# --- the other pages ------------------------------------------------------------------------

def test_citation_lookup_page_finds_chunk_span_and_quote(fake_app: Path) -> None:
    idx = ui.get_engine(settings_of(fake_app), ui.factory_key()).index
    chunk = next(c for c in idx.chunks if "IDeX" in c.text)
    at = start("pages/1_Citation_lookup.py")
    for ref in (chunk.chunk_id, f"a:{chunk.start}-{chunk.end}", "国内首个“可用不可见"):
        at.text_area(key="cite_ref").input(ref)
        at.button[0].click().run()
        assert not at.exception and not at.error, ref
        views = [m.value for m in at.markdown if "askbj-passage" in m.value]
        assert views and all("<mark>" in v for v in views), ref
        meta = html.unescape(" ".join(m.value for m in at.markdown if "askbj-meta" in m.value))
        assert "北京数字经济发展观察" in meta and "张三、李四" in meta
    # the traditional-script copy holds the quote too
    assert len(views) == 2
    at.text_area(key="cite_ref").input("这句话不在任何文档里出现过")
    at.button[0].click().run()
    assert at.error and "not in any document" in html.unescape(at.error[0].value)


def test_documents_page_lists_documents_and_navigates_sections(fake_app: Path) -> None:
    at = start("pages/2_Documents.py")
    table = at.dataframe[0].value
    assert list(table["id"]) == ["a", "b", "c", "d"]
    assert {"title", "authors", "venue", "date", "language", "chunks"} <= set(table.columns)
    assert table.set_index("id").loc["a", "chunks"] == 3
    doc_md = lambda: html.unescape(markdown_of(at, "askbj-doc")[0])  # noqa: E731
    assert "一、数据交易" in doc_md()
    at.button(key="next_section").click().run()
    assert "二、算力布局" in doc_md() and "IDeX" not in doc_md()
    at.selectbox(key="doc_reader").set_value("c").run()
    assert_inert(markdown_of(at, "askbj-doc")[0], CORPUS_MARKUP)


def test_evaluation_page_scores_modes_side_by_side(fake_app: Path) -> None:
    at = start("pages/3_Evaluation.py")
    at.button(key="eval_run").click().run()
    assert not at.exception and not at.error
    result = at.session_state["eval"]
    assert set(result["runs"]) == set(ui.MODES)
    summary = at.dataframe[0].value
    assert set(ui.MODES) <= set(summary.columns) and {"overall", "zh-Hans", "en"} <= set(
        summary["scope"])
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    per_question = at.dataframe[1].value
    assert list(per_question["id"]) == ["q1", "q2", "q3", "q4", "u1"]
    statuses = dict(zip(per_question["id"], per_question["status"], strict=True))
    assert statuses["q1"] == "✓ found" and statuses["q4"] == "✗ missed"
    assert statuses["u1"] == "unjudged"
    at.selectbox(key="eval_open").set_value("q1").run()
    labels = [e.label for e in at.expander]
    assert any(html.unescape(lbl).startswith("✓ 1.") for lbl in labels)
    at.toggle(key="misses_only").set_value(True).run()
    assert list(at.dataframe[1].value["id"]) == ["q4"] or "q4" in list(
        at.dataframe[1].value["id"])


def test_evaluation_page_accepts_an_uploaded_question_set(fake_app: Path) -> None:
    at = start("pages/3_Evaluation.py")
    upload = '{"id": "x1", "question": "杭州跨境电商", "lang": "zh-Hans", "evidence": ["跨境电商"]}'
    at.file_uploader(key="eval_upload").upload("mine.jsonl", upload.encode(), "application/json")
    at.multiselect(key="eval_modes").set_value(["bm25"])
    at.button(key="eval_run").click().run()
    assert not at.exception and not at.error
    assert at.session_state["eval"]["name"] == "mine.jsonl"
    assert list(at.session_state["eval"]["runs"]) == ["bm25"]
    at.file_uploader(key="eval_upload").set_value(("bad.jsonl", b"not json", "text/plain"))
    at.button(key="eval_run").click().run()
    assert at.error and "bad.jsonl:1" in html.unescape(at.error[0].value)


# --- the real model over the real corpus ----------------------------------------------------

def real_home(factory: pytest.TempPathFactory) -> Path:
    """A home whose ingest/ is the repository's, with a fresh real index (copied from
    ./index when that is current, else built once per test session)."""
    from askbj.embed import DEFAULT_MODEL_NAME

    home = factory.getbasetemp() / "askbj_real_home"
    home.mkdir(exist_ok=True)
    for name in ("ingest", "eval"):
        if not (home / name).exists():
            (home / name).symlink_to(ROOT / name)

    def fresh(root: Path) -> bool:
        s = ui.index_status(pipeline.Settings(ingest_dir=ROOT / "ingest",
                                              index_dir=root / "index"))
        return s.exists and not s.problem and bool(s.corpus_matches) and (
            s.model == DEFAULT_MODEL_NAME)

    if not fresh(home):
        if fresh(ROOT):
            shutil.rmtree(home / "index", ignore_errors=True)
            shutil.copytree(ROOT / "index", home / "index")
        else:
            pipeline.build(settings_of(home))
    return home


@pytest.fixture
def real_app(tmp_path_factory: pytest.TempPathFactory,
             monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = real_home(tmp_path_factory)
    monkeypatch.setenv("ASKBJ_HOME", str(home))
    monkeypatch.delenv("ASKBJ_MODEL", raising=False)
    yield home


@pytest.mark.integration
def test_real_model_answers_a_chinese_question_with_citations(real_app: Path) -> None:
    at = start()
    answer = ask(at, "2023年北京数字经济增加值是多少?")["answer"]
    assert not answer.abstained
    assert "18766.7" in answer.text
    assert any("18766.7" in c.quote and c.doc_id == "002" for c in answer.citations)
    assert 'class="askbj-ref">[1]</span>' in markdown_of(at, "askbj-answer")[0]
    english = ask(at, "What is Beijing's \"one corridor, four poles\" computing layout?")
    assert any("怀柔" in c.quote for c in english["answer"].citations)


# --- pure helpers ---------------------------------------------------------------------------

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


def test_sources_group_citations_by_number_and_name_alternate_documents() -> None:
    doc, chunk = _doc_and_chunk()
    twin = Chunk("c2", "d2", 0, 5, "第一句<b>", ())
    other = Document("d2", "d2.txt", "繁體版", "第一句<b>。", "1")

    class FakeIndex:
        documents = (doc, other)
        chunks = (chunk, twin)

        def document(self, doc_id: str) -> Document:
            return {d.doc_id: d for d in self.documents}[doc_id]

    cites = tuple(Citation(1, "c1", "d1", "T", (), s, s + 3, doc.text[s : s + 3], chunk.text,
                           ("c2",)) for s in (chunk.start, chunk.start + 7))
    answer = Answer("q", "x[1]y[1]", False, cites)
    [source] = ui.sources_of(answer, FakeIndex())  # type: ignore[arg-type]
    assert source.n == 1 and len(source.spans) == 2
    assert ui.alternate_titles(source, FakeIndex()) == ["繁體版"]  # type: ignore[arg-type]
    item = ui.source_item_html(source, ["繁體版"])
    assert_inert(item, "[1]", "T<i>", "一、节", "also in: 繁體版")


def test_evaluation_tables_and_hit_curve() -> None:
    from askbj.evaluate import Gold

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
    questions, gold = ui.read_uploaded_questions(
        b'{"id": "1", "question": "q", "evidence": ["e"]}\n', "x.jsonl")
    assert questions[0].question == "q" and gold["1"].answerable
    with pytest.raises(AskbjError, match=r"^x\.jsonl:2"):
        ui.read_uploaded_questions(b'{"id": "1", "question": "q"}\n{', "x.jsonl")
