"""Shared by the app's tests (``test_app_*.py``, ``test_uploads.py``, ``test_browser.py``):
the tiny corpus, the ``tiny_home``/``fake_app`` fixtures, ``real_home``, and helpers that
drive an ``AppTest`` and check that rendered markup is inert.

Most app tests use a tiny index built in tmp with the fake embedder (the app is pointed at it
through ``ASKBJ_HOME`` and ``askbj.ui.EMBEDDER_FACTORY``). Test modules take the fixtures
with ``pytest_plugins = ["app_helpers"]`` and import the rest by name (never ``from conftest
import``: tests/integration has a conftest of its own that shadows the name).

: the test modules import this one before pytest reads their
``pytest_plugins``, too late for pytest to rewrite its asserts; the marker says so instead of
a PytestAssertRewriteWarning. (``pytest.register_assert_rewrite("app_helpers")`` in
tests/conftest.py would let pytest rewrite them; then drop the marker.)
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest
from ui import session as ui

from askbj import engine
from askbj.config import Settings
from askbj.text.normalize import to_traditional

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


def fake_factory(settings: Settings) -> FakeEmbedder:
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


def settings_of(root: Path) -> Settings:
    return Settings(ingest_dir=root / "ingest", index_dir=root / "index")


@pytest.fixture(scope="module")
def tiny_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_home(tmp_path_factory.mktemp("tiny"))
    engine.build(settings_of(root), embedder=FakeEmbedder())
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


def ask(at: AppTest, question: str) -> ui.ChatTurn:
    at.chat_input[0].set_value(question).run()
    assert not at.exception, [e.value for e in at.exception]
    turn: ui.ChatTurn = at.session_state["history"][-1]
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


def real_home(factory: pytest.TempPathFactory) -> Path:
    """A home whose ingest/ is the repository's, with a fresh real index (copied from
    ./index when that is current, else built once per test session)."""
    from askbj.index.embed import DEFAULT_MODEL_NAME

    home = factory.getbasetemp() / "askbj_real_home"
    home.mkdir(exist_ok=True)
    for name in ("ingest", "eval"):
        if not (home / name).exists():
            (home / name).symlink_to(ROOT / name)

    def fresh(root: Path) -> bool:
        s = ui.index_status(Settings(ingest_dir=ROOT / "ingest",
                                              index_dir=root / "index"))
        return s.exists and not s.problem and bool(s.corpus_matches) and (
            s.model == DEFAULT_MODEL_NAME)

    if not fresh(home):
        if fresh(ROOT):
            shutil.rmtree(home / "index", ignore_errors=True)
            shutil.copytree(ROOT / "index", home / "index")
        else:
            engine.build(settings_of(home))
    return home
