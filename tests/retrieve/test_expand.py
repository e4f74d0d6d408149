"""English question → Chinese terms: CC-CEDICT plus the policy glossary.

BM25 and the answer's sentence scoring see an English question only through these terms,
so a wrong sense ("big" → 京) or a missing one (标杆) costs English questions their answer.
"""

from __future__ import annotations

from askbj.domain import load_domain
from askbj.retrieve.expand import absent, english_terms, phrases, to_chinese
from askbj.text.lang import is_english

# What a small policy index would hold: jieba splits 数字经济 into 数字 + 经济.
VOCAB = {"数字", "经济", "标杆", "城市", "企业", "基站", "基地", "终端", "大", "数据", "交易所",
         "京", "增加值", "人工智能", "全球"}
known = VOCAB.__contains__
BJ = load_domain("beijing")


def test_question_words_are_content_words_stemmed() -> None:
    assert english_terms("What are the benchmark cities of the report?") == [
        "benchmark", "city"]
    assert is_english("How many 5G base stations?") and not is_english("北京 5G 基站")


def test_glossary_phrase_is_kept_whole_for_scoring_and_split_for_bm25() -> None:
    assert ("digital economy", ("数字经济",)) in phrases("digital economy", known, BJ)
    assert to_chinese("digital economy", known, BJ) == ["数字", "经济"]


def test_glossary_sense_beats_the_dictionarys_first_sense() -> None:
    # CC-CEDICT alone maps "big" to 京 (Beijing) and drops "benchmark".
    found = dict(phrases("big data exchange of a benchmark city", known, BJ))
    assert found["big data"] == ("大数据",)
    assert "京" not in to_chinese("big data exchange", known, BJ)
    assert found["benchmark city"] == ("标杆城市",)


def test_longest_phrase_wins_and_its_words_are_not_translated_again() -> None:
    found = phrases("How many base stations are there?", known, BJ)
    assert found == [("base station", ("基站",))]  # not 基地 (base) + 终端 (station)


def test_glossary_entries_need_every_word_known_to_the_index() -> None:
    assert phrases("metaverse", known, BJ) == []  # 元宇宙 is not in this index
    assert phrases("artificial intelligence", known, BJ) == [
        ("artificial intelligence", ("人工智能",))]


def test_a_hyphenated_compound_is_looked_up_as_its_words() -> None:
    assert english_terms("Beijing's computing-power plan and top-level design") == [
        "beijing", "computing", "power", "plan", "top", "level", "design"]
    assert english_terms("by end-2020") == ["end-2020"]  # a date stays one term


def test_a_possessive_is_the_word_itself() -> None:
    # "economy's" once became "economy'", which no phrase or sense matched
    assert english_terms("the digital economy's share of firms’ data") == [
        "digital", "economy", "share", "firm", "data"]
    known = {"数字经济", "比重"}.__contains__
    assert dict(phrases("the digital economy's share", known, BJ))["digital economy"] == (
        "数字经济",)


def test_synonyms_after_a_semicolon_are_senses_too() -> None:
    # CC-CEDICT writes 公司 as "/company; firm; corporation/": each is a sense of its own
    vocab = {"公司", "城市"}.__contains__
    assert dict(phrases("Which company?", vocab, BJ))["company"] == ("公司",)
    assert dict(phrases("Which firm?", vocab, BJ))["firm"] == ("公司",)


def test_an_inflected_word_is_looked_up_by_its_base_form() -> None:
    vocab = {"建立", "计划"}.__contains__
    assert dict(phrases("When was it founded?", vocab, BJ))["founded"] == ("建立",)
    assert dict(phrases("What is planned?", vocab, BJ))["planned"] == ("计划",)


def test_a_word_is_absent_when_the_index_knows_none_of_its_senses() -> None:
    assert absent("salary", known)  # 薪水, 工资 …: none in this index
    assert not absent("companies", known)  # 企业
    assert not absent("robotaxis", known)  # not in the dictionary: cannot be judged
    assert not absent("gdp", {"gdp"}.__contains__)  # the index has the word itself


def test_a_lone_word_has_its_own_senses_and_its_base_forms() -> None:
    vocab = {"印发", "出版"}.__contains__
    assert set(dict(phrases("published", vocab, BJ, limit=8))["published"]) == {"印发", "出版"}
    assert len(dict(phrases("published", vocab, BJ, limit=1))["published"]) == 1


def test_an_irregular_past_form_is_looked_up_by_its_base_only_when_asked() -> None:
    vocab = {"举行"}.__contains__
    assert dict(phrases("held", vocab, BJ, irregular=True))["held"] == ("举行",)
    # search keeps the form's own senses: "wrote" → 写 cost "who wrote …" its first hit
    assert "held" not in dict(phrases("held", vocab, BJ))


def test_a_term_in_single_quotes_is_its_words() -> None:
    # the closing quote once stuck to the word ("brain'"), so a quoted term lost its senses
    assert english_terms("What is the so-called 'city brain'?")[-2:] == ["city", "brain"]
    assert english_terms("the 'digital economy' plan") == ["digital", "economy", "plan"]
    vocab = {"城市", "大脑"}.__contains__
    assert dict(phrases("What is the 'city brain'?", vocab, BJ))["city brain"] == ("城市大脑",)


def test_an_inflected_phrasal_verb_is_looked_up_by_its_base_form() -> None:
    vocab = {"遏制", "人才"}.__contains__
    found = dict(phrases("What's holding back talent?", vocab, BJ))
    assert found["holding back"] == ("遏制",)  # CC-CEDICT has "hold back", not "holding back"
    assert found["talent"] == ("人才",)


def test_across_borders_is_the_dictionarys_cross_border() -> None:
    # "border" alone is 边界; the documents say 跨境 (CC-CEDICT: cross-border)
    vocab = {"跨境", "边界", "数据"}.__contains__
    found = dict(phrases("moving data across borders", vocab, BJ))
    assert found["cross border"] == ("跨境",) and "border" not in found
    assert english_terms("sent across national borders") == ["sent", "cross", "border"]
