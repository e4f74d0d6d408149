"""Question folding: a traditional question in Taiwan wording is read in the documents'."""

from __future__ import annotations

from askbj.text.normalize import fold, looks_traditional, mainland_wording, tokenize

# Words a small mainland-worded corpus uses (as the index's vocabulary would say)
KNOWN = {"内存", "芯片", "操作", "系统", "操作系统", "算法", "宽带", "核心", "智慧", "数字"}


def known(word: str) -> bool:
    terms = tokenize(word)
    return bool(terms) and all(t in KNOWN for t in terms)


def test_taiwan_wording_becomes_the_documents_wording_in_traditional_characters() -> None:
    # 記憶體/作業系統/演算法 fold to 记忆体/作业系统/演算法, which no mainland text says
    said = mainland_wording("北京記憶體晶片、作業系統和AI演算法的國產化比例各是多少?", known)
    assert fold(said) == "北京内存芯片、操作系统和ai算法的国产化比例各是多少?"
    assert looks_traditional(said)  # the answer is still written in traditional
    assert fold(mainland_wording("千兆寬頻用戶有多少?", known)) == "千兆宽带用户有多少?"


def test_a_word_the_documents_use_is_kept_as_written() -> None:
    # tw2sp would make 核心 内核 and 智慧 智能: these documents say 核心 and 智慧
    question = "杭州智慧城市的核心產業收入有多少?"
    assert mainland_wording(question, known) == question
    assert fold(mainland_wording("杭州智慧城市的核心產業收入?", lambda w: False)) == (
        "杭州智慧城市的核心产业收入?")  # nothing known: nothing proposed is taken either


def test_simplified_and_english_questions_are_left_as_written() -> None:
    simplified = "北京记忆体芯片的国产化比例?"
    assert mainland_wording(simplified, known) == simplified
    assert mainland_wording("How big is it?", known) == "How big is it?"


def test_each_converter_is_built_once() -> None:
    # with room for two, the third (tw2sp) evicted t2s/s2t: ~80 ms per traditional question
    from askbj.text import normalize

    for _ in range(3):
        mainland_wording("北京記憶體晶片的國產化比例?", known)
    normalize._converter.cache_clear()
    for _ in range(3):
        mainland_wording("北京記憶體晶片的國產化比例?", known)
    assert normalize._converter.cache_info().misses == 3
