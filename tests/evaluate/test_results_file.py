"""`askbj eval --out`: checked before the run, written aside and renamed, and a malformed
question becomes an error record instead of losing the whole run."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from askbj import cli, engine
from askbj import files as askbj_files
from askbj.evaluate import questions as evq
from askbj.evaluate import runner as ev

DOCS = {"alpha.txt": "北京国际大数据交易所推出了国内首个数据交易平台IDeX系统。",
        "beta.txt": "2023年北京市数字经济实现增加值18766.7亿元，占地区生产总值比重达到42.9%。"}
GOOD = [{"id": "q1", "question": "数据交易平台叫什么?", "evidence": ["IDeX系统"]},
        {"id": "q2", "question": "数字经济增加值是多少?"}]


@pytest.fixture
def main(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
         fake_embedder: Any) -> Callable[..., tuple[int, str, str]]:
    ingest = tmp_path / "ingest"
    ingest.mkdir()
    for name, text in DOCS.items():
        (ingest / name).write_text(text, encoding="utf-8")
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


def questions(tmp_path: Path, *extra: str) -> Path:
    path = tmp_path / "q.jsonl"
    lines = [json.dumps(q, ensure_ascii=False) for q in GOOD] + list(extra)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def no_run(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        pytest.fail("the run started before the out path was checked")

    monkeypatch.setattr(engine, "open_searcher", fail)


def test_out_path_that_is_a_folder_fails_before_the_run(
    main: Callable[..., tuple[int, str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_run(monkeypatch)
    code, _, err = main("eval", str(questions(tmp_path)), "--out", str(tmp_path))
    assert code == 1 and "is a folder: give a file path" in err and "Traceback" not in err


def test_out_path_in_a_missing_folder_fails_before_the_run(
    main: Callable[..., tuple[int, str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_run(monkeypatch)
    out = tmp_path / "nope" / "results.json"
    code, _, err = main("eval", str(questions(tmp_path)), "--out", str(out))
    assert code == 1 and "does not exist: create it" in err


def test_malformed_questions_get_error_records_and_the_rest_run(
    main: Callable[..., tuple[int, str, str]], tmp_path: Path
) -> None:
    lone = '{"id": "bad-surrogate", "question": "数据\\ud800交易"}'
    path = questions(tmp_path, "{not json", '{"id": "q9"}', lone)
    out = tmp_path / "results.json"
    code, _, err = main("eval", str(path), "--out", str(out), "--mode", "bm25")
    assert code == 0, err
    result = json.loads(out.read_text(encoding="utf-8"))
    assert [q["id"] for q in result["questions"]] == ["q1", "q2"]
    assert result["summary"]["errors"] == 3
    assert [(e["line"], e["id"]) for e in result["errors"]] == [(3, ""), (4, "q9"),
                                                                  (5, "bad-surrogate")]
    assert "lone surrogate" in result["errors"][2]["error"]
    assert "q.jsonl:4" in err  # each is also a warning on stderr


def test_a_failed_write_leaves_the_old_results_whole(
    main: Callable[..., tuple[int, str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "results.json"
    out.write_text('{"old": true}', encoding="utf-8")

    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device", str(out))

    monkeypatch.setattr(askbj_files.os, "replace", full_disk)
    code, _, err = main("eval", str(questions(tmp_path)), "--out", str(out), "--mode", "bm25")
    monkeypatch.undo()
    assert code == 1 and "No space left on device" in err and "the disk is full" in err
    assert out.read_text(encoding="utf-8") == '{"old": true}'
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".results")) == []


def test_write_results_replaces_lone_surrogates(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    ev.write_results(out, {"summary": {}, "questions": [{"question": "a\udcffb"}]})
    assert json.loads(out.read_text(encoding="utf-8"))["questions"][0]["question"] == "a\ufffdb"


def test_read_questions_still_raises_on_the_first_bad_line(tmp_path: Path) -> None:
    from askbj.errors import AskbjError

    path = questions(tmp_path, '{"id": "q9"}')
    with pytest.raises(AskbjError, match=r"q\.jsonl:3"):
        evq.read_questions(path)
    found = evq.read_question_set(path)
    assert len(found.questions) == 2 and found.errors[0].to_dict()["line"] == 3
