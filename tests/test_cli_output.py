"""The CLI prints document text verbatim (no rich markup, no emoji codes), and `cite` pages
its places (`--limit`, default 20) with a line saying how many more there are."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from askbj import cli, engine

HOSTILE = ("系统账户记录 root:x:0:0:root:/root:/bin/bash 出现在数据交易平台日志中。"
           "标记[bold]加粗[/bold]与[red]红色[/]以及:smile:和:thumbs_up:都应原样显示。")
REPEATED = "".join(f"第{i}段提到数字经济标杆城市的建设。\n\n" for i in range(30))


@pytest.fixture
def main(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
         fake_embedder: Any) -> Callable[..., tuple[int, str, str]]:
    ingest = tmp_path / "ingest"
    ingest.mkdir()
    (ingest / "log.txt").write_text(HOSTILE, encoding="utf-8")
    (ingest / "many.txt").write_text(REPEATED, encoding="utf-8")
    monkeypatch.setattr(engine, "make_embedder", lambda settings: type(fake_embedder)())

    def run(*args: str) -> tuple[int, str, str]:
        argv = ["askbj", "--index-dir", str(tmp_path / "index"), "--ingest-dir", str(ingest),
                *args]
        monkeypatch.setattr(sys, "argv", argv)
        capsys.readouterr()
        with pytest.raises(SystemExit) as info:
            cli.main()
        captured = capsys.readouterr()
        return int(info.value.code or 0), captured.out, captured.err

    assert run("ingest")[0] == 0
    return run


def folded(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize("command", [
    ("search", "root:x:0 数据交易平台日志", "--mode", "bm25"),
    ("cite", "log:0-95"),
    ("cite", "root:x:0:0:root"),
    ("ask", "系统账户记录root:x:0出现在哪里?", "--mode", "bm25"),
])
def test_document_text_is_printed_verbatim(
    main: Callable[..., tuple[int, str, str]], command: tuple[str, ...]
) -> None:
    code, out, err = main(*command)
    assert code == 0, err
    shown = folded(out)
    assert "root:x:0:0:root:/root:/bin/bash" in shown, out
    assert "❌" not in out and "😄" not in out and "👍" not in out
    if command[0] != "ask":  # an answer quotes sentences, a passage shows all of it
        assert "[bold]加粗[/bold]" in shown and "[red]红色[/]" in shown
        assert ":smile:" in shown and ":thumbs_up:" in shown


def test_cite_shows_twenty_places_and_says_how_many_more(
    main: Callable[..., tuple[int, str, str]]
) -> None:
    code, out, _ = main("cite", "数字经济标杆城市")
    assert code == 0
    assert out.startswith("30 places")
    assert out.count("span: many:") == 20
    assert "… 10 more places (show them with --limit 30 or --limit 0)" in out
    code, out, _ = main("cite", "数字经济标杆城市", "--limit", "5")
    assert out.count("span: many:") == 5 and "25 more places" in out
    code, out, _ = main("cite", "数字经济标杆城市", "--limit", "0")
    assert out.count("span: many:") == 30 and "more places" not in out


def test_cite_json_has_the_total(main: Callable[..., tuple[int, str, str]]) -> None:
    code, out, _ = main("cite", "数字经济标杆城市", "--json", "--limit", "3")
    payload = json.loads(out)
    assert code == 0 and payload["total"] == 30 and len(payload["places"]) == 3
    code, out, _ = main("cite", "log:0-10", "--json")
    assert json.loads(out)["total"] == 1


def test_an_argument_with_undecodable_bytes_does_not_crash(
    main: Callable[..., tuple[int, str, str]]
) -> None:
    code, out, err = main("search", "数据\udcff交易", "--json", "--mode", "bm25")
    assert code == 0, err
    assert json.loads(out)["question"] == "数据\ufffd交易"
