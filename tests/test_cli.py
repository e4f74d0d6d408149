"""The `askbj` command line over tmp folders, with the fake embedder in place of the model."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from typer.testing import CliRunner

from askbj import cli, engine
from askbj.errors import AskbjError, IndexMissing

DOCS = {
    "alpha.txt": "一、数据交易\n\n北京国际大数据交易所推出了国内首个数据交易平台IDeX系统，"
    "为数据要素市场化配置提供了新的路径。\n\n二、算力布局\n\n"
    "北京以中关村科学城为核心算力走廊，协同怀柔科学城、未来科学城和首钢园四极联动。",
    "beta.txt": "2023年北京市数字经济实现增加值18766.7亿元，占地区生产总值比重达到42.9%。",
}
HIT_KEYS = {"rank", "chunk_id", "doc_id", "section", "text", "score", "start", "end", "alternates"}


def one_line(text: str) -> str:
    """Rich wraps long messages; judge them with whitespace folded."""
    return " ".join(text.split())


@pytest.fixture
def dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_embedder: Any) -> tuple[Path, Path]:
    ingest = tmp_path / "ingest"
    ingest.mkdir()
    for name, text in DOCS.items():
        (ingest / name).write_text(text, encoding="utf-8")
    monkeypatch.setattr(engine, "make_embedder", lambda settings: type(fake_embedder)())
    return ingest, tmp_path / "index"


@pytest.fixture
def askbj(dirs: tuple[Path, Path]) -> Callable[..., Result]:
    ingest, index = dirs

    def invoke(*args: str) -> Result:
        argv = ["--index-dir", str(index), "--ingest-dir", str(ingest), *args]
        return CliRunner().invoke(cli.app, argv)

    return invoke


@pytest.fixture
def main(
    dirs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., tuple[int, str, str]]:
    """The real entry point (`askbj.cli:main`), which turns AskbjError into exit code 1."""
    ingest, index = dirs

    def run(*args: str) -> tuple[int, str, str]:
        argv = ["askbj", "--index-dir", str(index), "--ingest-dir", str(ingest), *args]
        monkeypatch.setattr(sys, "argv", argv)
        capsys.readouterr()
        with pytest.raises(SystemExit) as info:
            cli.main()
        captured = capsys.readouterr()
        code = info.value.code
        return (code if isinstance(code, int) else 1 if code else 0), captured.out, captured.err

    return run


def test_ingest_reports_and_builds_the_index(
    askbj: Callable[..., Result], dirs: tuple[Path, Path]
) -> None:
    result = askbj("ingest")
    assert result.exit_code == 0, result.output
    assert "added: 2" in one_line(result.stdout)
    assert (dirs[1] / "manifest.json").is_file()

    again = askbj("ingest", "--json")
    assert again.exit_code == 0, again.output
    report = json.loads(again.stdout)
    assert report["unchanged"] == ["alpha", "beta"] and report["added"] == []
    assert report["embedded"] == 0 and report["chunks"] > 0
    assert set(report) >= {"added", "changed", "removed", "unchanged", "warnings", "chunks"}


def test_ingest_warnings_go_to_stderr(
    askbj: Callable[..., Result], dirs: tuple[Path, Path]
) -> None:
    (dirs[0] / "broken.txt").write_bytes(b"\x00\x01binary")
    result = askbj("ingest", "--json")
    assert result.exit_code == 0, result.output
    assert "broken.txt" in result.stderr
    report = json.loads(result.stdout)  # stdout stays pure JSON
    assert any("broken.txt" in w for w in report["warnings"])


def test_search_json(askbj: Callable[..., Result]) -> None:
    assert askbj("ingest").exit_code == 0
    result = askbj("search", "懷柔科學城", "--json", "-k", "3", "--mode", "bm25")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert set(payload) >= {"question", "mode", "notice", "hits"}
    assert payload["question"] == "懷柔科學城" and payload["mode"] == "bm25"
    assert payload["notice"] == ""
    hits = payload["hits"]
    assert 1 <= len(hits) <= 3
    assert all(set(h) == HIT_KEYS for h in hits)
    assert hits[0]["rank"] == 1 and hits[0]["doc_id"] == "alpha"
    assert "怀柔科学城" in hits[0]["text"] and hits[0]["section"] == "二、算力布局"
    text = DOCS["alpha.txt"]
    assert text[hits[0]["start"] : hits[0]["end"]] == hits[0]["text"]


def test_search_text_output(askbj: Callable[..., Result]) -> None:
    assert askbj("ingest").exit_code == 0
    result = askbj("search", "18766.7亿元", "--mode", "bm25")
    assert result.exit_code == 0, result.output
    assert result.stdout.lstrip().startswith("1.")
    assert "beta" in result.stdout and "18766.7" in result.stdout


def test_huge_question_gets_a_notice(askbj: Callable[..., Result]) -> None:
    assert askbj("ingest").exit_code == 0
    result = askbj("search", "数据交易" * 2500, "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["notice"] and "10000" in payload["notice"]
    assert payload["hits"]
    assert "10000" in one_line(result.stderr)


def test_eval_writes_the_results_contract(askbj: Callable[..., Result], tmp_path: Path) -> None:
    assert askbj("ingest").exit_code == 0
    questions = tmp_path / "q.jsonl"
    rows = [
        {"id": "q1", "question": "增加值多少亿元", "lang": "zh-Hans", "evidence": ["18766.7亿元"]},
        {"id": "q2", "question": "What is IDeX?", "lang": "en"},
    ]
    questions.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    out = tmp_path / "results.json"
    result = askbj("eval", str(questions), "--out", str(out), "--mode", "bm25", "-k", "5")
    assert result.exit_code == 0, result.output
    saved = json.loads(out.read_text(encoding="utf-8"))
    assert set(saved) == {"summary", "questions"}
    assert saved["summary"]["questions"] == 2 and saved["summary"]["judged"] == 1
    assert [q["id"] for q in saved["questions"]] == ["q1", "q2"]
    for record in saved["questions"]:
        assert {"id", "question", "hits", "latency_ms"} <= set(record)
        assert all(set(h) == HIT_KEYS for h in record["hits"])
    assert saved["questions"][0]["metrics"]["hit@1"] == 1.0
    assert "overall" in saved["summary"]["metrics"]
    assert "hit@1" in result.stdout  # the human table


def test_eval_all_modes_json(askbj: Callable[..., Result], tmp_path: Path) -> None:
    assert askbj("ingest").exit_code == 0
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"id": "q1", "question": "算力走廊"}\n', encoding="utf-8")
    result = askbj("eval", str(questions), "--mode", "all", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert set(payload["summary"]["by_mode"]) == {"hybrid", "dense", "bm25", "first-stage"}
    assert set(payload["questions"][0]["hits_by_mode"]) == {"hybrid", "dense", "bm25",
                                                            "first-stage"}


def test_search_before_ingest_tells_to_ingest(main: Callable[..., tuple[int, str, str]]) -> None:
    code, out, err = main("search", "北京数字经济")
    assert code == 1
    assert "askbj ingest" in one_line(err)
    assert out == ""


def test_search_before_ingest_raises_index_missing(askbj: Callable[..., Result]) -> None:
    result = askbj("search", "北京数字经济")
    assert result.exit_code != 0
    assert isinstance(result.exception, IndexMissing)


@pytest.mark.parametrize("question", ["", "   "])
def test_empty_question_fails(
    main: Callable[..., tuple[int, str, str]], askbj: Callable[..., Result], question: str
) -> None:
    assert askbj("ingest").exit_code == 0
    code, out, err = main("search", question)
    assert code == 1 and "empty" in err and out == ""


def test_unknown_mode_fails(
    main: Callable[..., tuple[int, str, str]], askbj: Callable[..., Result]
) -> None:
    assert askbj("ingest").exit_code == 0
    code, _, err = main("search", "数据交易", "--mode", "fuzzy")
    assert code == 1 and "fuzzy" in err


def test_stale_index_answers_with_an_ingest_hint(
    main: Callable[..., tuple[int, str, str]],
    askbj: Callable[..., Result],
    dirs: tuple[Path, Path],
) -> None:
    assert askbj("ingest").exit_code == 0
    (dirs[0] / "gamma.txt").write_text("新增的文档内容。", encoding="utf-8")
    (dirs[0] / "delta.txt").write_text("又一篇新增的文档。", encoding="utf-8")
    code, out, err = main("search", "数据交易")
    assert code == 0 and "数据交易" in out  # served from the last good index
    note = one_line(err)
    assert "2 documents in" in note and "not indexed yet — run `askbj ingest`" in note
    code, out, _ = main("search", "数据交易", "--json")
    payload = json.loads(out)
    assert code == 0 and payload["hits"] and "2 documents in" in payload["stale"]
    code, out, _ = main("ask", "数据交易平台叫什么?", "--json")
    assert code == 0 and "not indexed yet" in json.loads(out)["stale"]


def test_bad_question_file_fails(
    main: Callable[..., tuple[int, str, str]], askbj: Callable[..., Result], tmp_path: Path
) -> None:
    assert askbj("ingest").exit_code == 0
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "q1"}\n', encoding="utf-8")
    code, _, err = main("eval", str(bad))
    assert code == 1 and "bad.jsonl:1" in one_line(err)


def test_ingest_without_documents_fails(
    askbj: Callable[..., Result], dirs: tuple[Path, Path]
) -> None:
    for path in dirs[0].iterdir():
        path.unlink()
    result = askbj("ingest")
    assert result.exit_code != 0 and isinstance(result.exception, AskbjError)
    assert not dirs[1].exists()


def test_installed_script_reports_missing_index(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("askbj")
    if not script.exists():
        pytest.skip("askbj console script not installed in this environment")
    (tmp_path / "ingest").mkdir()
    proc = subprocess.run(
        [
            str(script),
            "--index-dir",
            str(tmp_path / "index"),
            "--ingest-dir",
            str(tmp_path / "ingest"),
            "search",
            "北京",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1
    assert "askbj ingest" in one_line(proc.stderr)
    assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_doctor_says_what_to_fix_then_passes(askbj: Callable[..., Result]) -> None:
    before = askbj("doctor", "--json")
    assert before.exit_code == 1
    checks = {c["check"]: c for c in json.loads(before.stdout)}
    assert checks["package faiss"]["ok"] is True
    assert "askbj ingest" in checks["model/index"]["detail"]
    assert askbj("ingest").exit_code == 0
    after = askbj("doctor", "--json")
    assert after.exit_code == 0, after.stdout
    assert all(c["ok"] for c in json.loads(after.stdout))


def test_doctor_names_a_stale_corpus(askbj: Callable[..., Result], dirs: tuple[Path, Path]) -> None:
    assert askbj("ingest").exit_code == 0
    (dirs[0] / "gamma.txt").write_text("新增的文档内容。", encoding="utf-8")
    result = askbj("doctor", "--json")
    checks = {c["check"]: c for c in json.loads(result.stdout)}
    assert result.exit_code == 1 and checks["index"]["ok"] is True
    assert checks["corpus"]["ok"] is False
    assert "1 document in" in checks["corpus"]["detail"]
    assert "not indexed yet — run `askbj ingest`" in checks["corpus"]["detail"]


def test_doctor_notes_an_index_without_sentence_vectors(
        askbj: Callable[..., Result], dirs: tuple[Path, Path]) -> None:
    from dataclasses import replace

    from askbj.index import store as index_store

    assert askbj("ingest").exit_code == 0
    index_dir = dirs[1]
    index_store.save(replace(index_store.load(index_dir), sentences=None), index_dir)
    checks = {c["check"]: c for c in json.loads(askbj("doctor", "--json").stdout)}
    assert checks["index"]["ok"] is True  # it still works, without the sentence stage
    assert "no sentence vectors" in checks["index"]["detail"]
    assert "askbj ingest" in checks["index"]["detail"]
    assert askbj("ingest").exit_code == 0
    checks = {c["check"]: c for c in json.loads(askbj("doctor", "--json").stdout)}
    assert "no sentence vectors" not in checks["index"]["detail"]
