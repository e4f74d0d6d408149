"""The chat page with the real default model over the real corpus (``integration``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app_helpers import ask, markdown_of, real_home, start


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
    answer = ask(at, "2023年北京数字经济增加值是多少?").answer
    assert not answer.abstained
    assert "18766.7" in answer.text
    assert any("18766.7" in c.quote and c.doc_id == "002" for c in answer.citations)
    assert 'class="askbj-ref">[1]</span>' in markdown_of(at, "askbj-answer")[0]
    english = ask(at, "What is Beijing's \"one corridor, four poles\" computing layout?")
    assert any("怀柔" in c.quote for c in english.answer.citations)
