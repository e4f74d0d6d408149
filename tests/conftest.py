"""Shared fixtures. The fake embedder lives in ``fakes.py`` so tests can import it by a
name no other conftest shadows (tests/integration has a conftest of its own)."""

from __future__ import annotations

import pytest

from fakes import FakeEmbedder

pytest.register_assert_rewrite("app_helpers")


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()
