"""Fixtures of the ward tests (issue #19): the simulator process and counter data directories.

They reuse the sync tests' helpers (``tests/sync/conftest.py``): a real simulator subprocess on a
free loopback port and real counter databases with received dossiers and scans.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.sync.conftest import Counter, RunningSimulator, SimulatorFactory, add_dossiers, build_counter


@pytest.fixture
def simulator(tmp_path: Path) -> Iterator[RunningSimulator]:
    """A fault-free simulator without simulated processing (statuses move only when counters act)."""
    factory = SimulatorFactory(tmp_path / "province")
    yield factory.start("--no-progress")
    factory.close()


@pytest.fixture
def ward_counter(tmp_path: Path, simulator: RunningSimulator) -> Iterator[Callable[..., Counter]]:
    """``ward_counter(name, agency, slot, **settings)``: a configured counter of the ward; closed after."""
    made: list[Counter] = []

    def make(name: str, agency: str, slot: int, **settings: Any) -> Counter:
        c = build_counter(tmp_path / name, endpoint=simulator.url, agency=agency)
        c.cdb.set_setting("workstation_slot", slot)
        for key, value in settings.items():
            c.cdb.set_setting(key, value)
        made.append(c)
        return c

    yield make
    for c in made:
        with contextlib.suppress(Exception):
            c.cdb.close()


@pytest.fixture
def receive() -> Callable[..., list[int]]:
    """``receive(counter, n, seed=...)``: n accepted dossiers with one scan each."""
    return add_dossiers
