"""One real index per test session: the default offline model over the real corpus.

Building it costs about a minute on two cores, so every integration test shares it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from askbj import engine
from askbj.config import Settings

REPO = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/integration" in str(item.fspath):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = Settings(
        ingest_dir=REPO / "ingest", index_dir=tmp_path_factory.mktemp("real") / "index"
    )
    engine.build(settings)
    return settings


@pytest.fixture(scope="session")
def real_searcher(real_settings: Settings):  # type: ignore[no-untyped-def]
    return engine.open_searcher(real_settings)
