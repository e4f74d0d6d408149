"""A tiny hand-made corpus for the answer and citation tests, and fixtures over it.

One article twice (simplified and traditional, as the real corpus has it), a list of
measures written 一是…二是…三是, numbers, and a second city; indexed with the fake embedder.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from askbj import cli, engine
from askbj.answer.extractive import Answerer
from askbj.config import Settings
from askbj.text.normalize import to_traditional

ARTICLE = (
    "北京数字经济发展观察\n\n"
    "一、数据交易平台\n\n"
    "北京国际大数据交易所推出了国内首个“可用不可见”的数据交易平台IDeX系统。"
    "该平台通过创新“数据元件”模式，将原始数据加工为可定价、可流通的标准化产品。\n\n"
    "二、主要措施\n\n"
    "为推动数据要素市场化配置，北京主要采取了三方面措施。"
    "一是完善数据产权制度，明确数据资源持有权和加工使用权；"
    "二是建设高水平数据交易平台，扩大场内交易规模；"
    "三是加强数据安全监管，建立分类分级保护制度。\n\n"
    "三、信息基础设施\n\n"
    "截至2023年11月末，北京累计建设5G基站10.6万个，每万人拥有5G基站数48个，居全国第一。"
    "千兆用户数累计达到221.7万户，实现五环内全覆盖。\n"
)
SHANGHAI = (
    "上海城市数字化转型\n\n"
    "（原载于《城市观察》2024年第3期，作者王小明，系某大学经济学院教授）\n\n"
    "上海市出台《上海市数据条例》[b]，确立数据交易价格“自定+评估”原则。"
    "上海在汽车、高端装备等重点领域已建成14个国家级智能工厂，企业平均生产效率提升50%以上。\n"
)
MANIFEST = """
[[document]]
file = "a.txt"
id = "100"
title = "北京数字经济发展观察"
authors = ["张三"]
venue = "《测试期刊》2024年第1期"
date = "2024"

[[document]]
file = "b.txt"
id = "101"
title = "北京數字經濟發展觀察"
authors = ["张三"]

[[document]]
file = "c.txt"
id = "102"
title = "上海城市数字化转型"
authors = ["王小明"]
"""


def write_corpus(ingest: Path) -> None:
    ingest.mkdir(parents=True)
    (ingest / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (ingest / "b.txt").write_text(to_traditional(ARTICLE), encoding="utf-8")
    (ingest / "c.txt").write_text(SHANGHAI, encoding="utf-8")
    (ingest / "sources.toml").write_text(MANIFEST, encoding="utf-8")


@pytest.fixture
def settings(tmp_path: Path, fake_embedder: Any) -> Settings:
    settings = Settings(ingest_dir=tmp_path / "ingest", index_dir=tmp_path / "index")
    write_corpus(settings.ingest_dir)
    engine.build(settings, embedder=fake_embedder)
    return settings


@pytest.fixture
def answerer(settings: Settings, fake_embedder: Any) -> Answerer:
    return Answerer(engine.open_searcher(settings, fake_embedder))


@pytest.fixture
def run_cli(
    settings: Settings, fake_embedder: Any, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Callable[..., tuple[int, str, str]]:
    """The real entry point, which maps AskbjError to exit code 1."""
    monkeypatch.setattr(engine, "make_embedder", lambda s: type(fake_embedder)())

    def run(*args: str) -> tuple[int, str, str]:
        argv = ["askbj", "--index-dir", str(settings.index_dir),
                "--ingest-dir", str(settings.ingest_dir), *args]
        monkeypatch.setattr(sys, "argv", argv)
        capsys.readouterr()
        code: Any = 0
        try:
            cli.main()
        except SystemExit as exc:
            code = exc.code or 0
        captured = capsys.readouterr()
        return int(code), captured.out, captured.err

    return run
