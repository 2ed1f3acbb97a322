"""Test-wide set-up: Qt runs offscreen so the suite works on a headless machine."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The app must never touch the developer's real data directory during tests.
os.environ.pop("COUNTER_APP_DATA_DIR", None)
