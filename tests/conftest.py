"""Test-wide set-up: Qt runs offscreen so the suite works on a headless machine."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The app must never touch the developer's real data directory during tests.
os.environ.pop("COUNTER_APP_DATA_DIR", None)

from hypothesis import settings

# `pytest --hypothesis-profile=thorough` hunts further before a release (about 20× the examples);
# in CI Hypothesis uses its built-in derandomised "ci" profile by itself.
settings.register_profile("thorough", max_examples=2000, deadline=None)


def pytest_sessionfinish(session: object, exitstatus: int) -> None:
    """Wait for background Qt jobs so none outlives the test session's objects."""
    import sys

    if "PySide6.QtCore" in sys.modules:
        from PySide6.QtCore import QThreadPool

        QThreadPool.globalInstance().waitForDone(30_000)
        from counter_app.ui.tasks import processing_pool

        processing_pool().waitForDone(30_000)
