"""A corpus's vocabulary is data: the shipped domain file, and another city's of its own."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from askbj import engine
from askbj.config import Settings
from askbj.domain import Domain, load_domain, shipped_domains
from askbj.errors import AskbjError
from askbj.retrieve.anchors import find_anchors
from askbj.retrieve.expand import english_terms
from askbj.text.normalize import tokenize

from fakes import FakeEmbedder

WENZHOU_TOML = """
name = "wenzhou"
subject = "Wenzhou data-market reports"
example_questions = ["瓯数所上架了多少数据产品?"]
place_prefixes = ["我市"]
[gazetteer]
wenzhou = "温州"
taizhou = "台州"
[abbreviations]
"瓯数所" = ["温州数据交易所"]
[glossary]
"data product" = ["数据产品"]
"""

DOCS = {
    "wz.txt": "温州数据交易所年度报告\n\n2023年,温州数据交易所累计挂牌数据产品1200个,"
              "交易额突破5亿元。交易所设立了数据资产登记中心。\n",
    "tz.txt": "台州数据交易所年度报告\n\n2023年,台州数据交易所累计上架数据产品800个,"
              "交易额突破2亿元。交易所设立了数据资产登记中心。\n",
}


@pytest.fixture
def wenzhou(tmp_path: Path) -> Path:
    path = tmp_path / "wenzhou.toml"
    path.write_text(WENZHOU_TOML, encoding="utf-8")
    return path


def test_the_shipped_domain_is_well_formed() -> None:
    assert "beijing" in shipped_domains()
    domain = load_domain("beijing")
    assert domain.example_questions and domain.subject
    for english, chinese in domain.glossary.items():
        assert english == english.lower().strip() and english_terms(english), english
        assert chinese and all(tokenize(c) for c in chinese), english
    assert all(v for v in domain.abbreviations.values())


def test_a_wrong_domain_says_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(AskbjError, match="No domain called 'atlantis'"):
        load_domain("atlantis")
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "bad"\n[abbreviations]\n"甲" = "not a list"\n', encoding="utf-8")
    with pytest.raises(AskbjError, match=r"\[abbreviations\]` entry '甲' must be a list"):
        load_domain(str(bad))
    bad.write_text("name = [", encoding="utf-8")
    with pytest.raises(AskbjError, match="not valid UTF-8 TOML"):
        load_domain(str(bad))


def test_places_and_prefixes_come_from_the_domain(wenzhou: Path) -> None:
    question = "How many data products did Wenzhou list in 2023?"
    assert find_anchors(question, load_domain(str(wenzhou))) == (("2023",), ("温州",))
    assert find_anchors(question, Domain(name="empty")) == (("2023",), ())


def test_another_city_is_answered_with_its_own_domain(tmp_path: Path, wenzhou: Path) -> None:
    ingest = tmp_path / "ingest"
    ingest.mkdir()
    for name, text in DOCS.items():
        (ingest / name).write_text(text, encoding="utf-8")
    settings = replace(Settings(ingest_dir=ingest, index_dir=tmp_path / "index"),
                       domain=str(wenzhou))
    embedder = FakeEmbedder()
    engine.build(settings, embedder=embedder)
    answerer = engine.open_answerer(settings, embedder)
    assert answerer.searcher.domain.name == "wenzhou"

    answer = answerer.ask("瓯数所上架了多少数据产品?")  # 瓯数所 is the domain's word
    assert not answer.abstained
    assert "1200" in answer.text and "800" not in answer.text
    assert {c.doc_id for c in answer.citations} == {"wz"}


def test_a_gazetteer_name_jieba_does_not_tag_as_a_place_is_still_one() -> None:
    beijing = load_domain("beijing")
    # jieba tags 合肥 as a common noun here; the gazetteer knows it is a city
    assert find_anchors("合肥數字經濟增加值有多少?", beijing) == ((), ("合肥",))
    assert find_anchors("合肥數字經濟增加值有多少?", Domain(name="empty")) == ((), ())


def test_a_number_inside_a_code_is_not_an_anchor() -> None:
    # TOP500's 500 is not a figure a passage must hold apart; the code is matched whole
    assert find_anchors("Who published the TOP500 index in 2023?", Domain(name="empty")) == (
        ("2023",), ())
    assert find_anchors("500强企业有多少家?", Domain(name="empty"))[0] == ("500",)
