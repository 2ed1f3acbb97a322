"""Where a real scan of ``tests/data/real_scans/truth.json`` is on this machine, if anywhere.

Only images from package registries are committed; the Leptonica samples (a fetched git snapshot) are
found in the evaluation cache that ``python -m bench.scan_eval.fetch_real`` fills, matched by SHA-256.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUBSET = ROOT / "tests" / "data" / "real_scans"
CACHE = ROOT / "out" / "scan_eval" / "cache"


@cache
def _cached() -> dict[str, Path]:
    index = CACHE / "real" / "index.json"
    try:
        entries = json.loads(index.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {e["sha256"]: CACHE / e["path"] for e in entries.values() if (CACHE / e["path"]).exists()}


def locate(sha256: str, file: str) -> Path | None:
    """The committed file, else the evaluation cache's copy with the same hash, else ``None``."""
    path = SUBSET / file
    if path.exists():
        return path
    found = _cached().get(sha256)
    if found is not None and hashlib.sha256(found.read_bytes()).hexdigest() == sha256:
        return found
    return None
