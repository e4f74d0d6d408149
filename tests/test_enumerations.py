"""Enumeration markers: ordinals of every style, and runs over circled numbers."""

from __future__ import annotations

from askbj.text import enumerations as listing


def test_ordinals_of_every_marker_style() -> None:
    assert listing.ordinal("7") == 7
    assert listing.ordinal("①") == 1  # "①".isdigit() is True, but int("①") raises
    assert listing.ordinal("③") == 3
    assert listing.ordinal("十二") == 12
    assert listing.ordinal("²") == 0  # a superscript is no ordinal either


def test_circled_items_form_a_run() -> None:
    text = "①推进5G网络建设。②布局6G技术研发。③建设算力中心。"
    spans = [(0, 10), (10, 20), (20, len(text))]
    found = listing.runs(text, spans)
    assert [[i.ordinal for i in r] for r in found] == [[1, 2, 3]]
    assert found[0][0].style == "circled"
