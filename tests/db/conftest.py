"""Fixtures for the database tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from counter_app.db.database import CounterDB
from tests.factories import make_db


@pytest.fixture
def cdb(tmp_path: Path) -> CounterDB:
    return make_db(tmp_path / "counter.db")
