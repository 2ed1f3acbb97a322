"""Type-check ratchet (issue #17): mypy's error count may fall, never rise.

The whole package is checked with the settings in ``pyproject.toml``; ``domain``, ``db`` and ``sync`` —
the core whose types every other part leans on — with ``--strict``. Ceilings live in
``tests/typing_ceiling.json``: when you fix errors, lower them in the same commit.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CEILING = json.loads((ROOT / "tests" / "typing_ceiling.json").read_text(encoding="utf-8"))
ERROR = re.compile(r"^(?P<path>[^:\s]+\.py):\d+: error:", re.M)


def _mypy(*args: str) -> list[str]:
    run = subprocess.run([sys.executable, "-m", "mypy", "--no-error-summary", "--show-error-codes", *args],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode in (0, 1), run.stderr[-3000:]  # 2 = mypy itself failed
    return [line for line in run.stdout.splitlines() if ERROR.match(line)]


@pytest.mark.parametrize(("name", "args"), [
    ("package", ["counter_app"]),
    ("core_strict", ["--strict", "counter_app/domain", "counter_app/db", "counter_app/sync"]),
])
def test_mypy_error_count_does_not_rise(name: str, args: list[str]) -> None:
    errors = _mypy(*args)
    ceiling = CEILING[name]
    shown = "\n".join(errors[:40])
    assert len(errors) <= ceiling, f"{len(errors)} mypy errors > ceiling {ceiling} ({name}):\n{shown}"
    if len(errors) < ceiling:
        print(f"{name}: {len(errors)} mypy errors, ceiling {ceiling} — lower it in tests/typing_ceiling.json")
