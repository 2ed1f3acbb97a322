"""Fixtures that run the provincial-system simulator as a real subprocess on loopback.

``simulator_factory.start(*args)`` launches ``python -m counter_app.sync.simulator --port 0``
with a fresh (or given) data directory, waits for its ``READY port=...`` line and returns a
:class:`RunningSimulator`; every process started is stopped when the test ends.
"""

from __future__ import annotations

import contextlib
import os
import queue
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
READY_TIMEOUT = 30.0  # generous: the machine is shared and Python start-up can be slow


@dataclass
class RunningSimulator:
    """A simulator process and how to reach it."""

    process: subprocess.Popen[str]
    data_dir: Path
    port: int
    url: str
    cert: Path | None
    stderr_path: Path
    args: tuple[str, ...] = field(default_factory=tuple)

    def verify(self) -> ssl.SSLContext | bool:
        """What to pass as httpx ``verify=``: trust exactly our self-signed certificate."""
        # httpx 0.28 deprecates verify=<path>; an SSLContext is the supported way.
        return ssl.create_default_context(cafile=str(self.cert)) if self.cert else True

    def client(self, **kwargs: Any) -> httpx.Client:
        """An httpx client on the simulator's base URL."""
        kwargs.setdefault("timeout", 10.0)
        return httpx.Client(base_url=self.url, verify=self.verify(), **kwargs)

    def admin(self, path: str, **params: str) -> Any:
        """GET a read-only admin view (never subject to faults)."""
        with self.client() as client:
            response = client.get(path, params=params)
            response.raise_for_status()
            return response.json()

    def stop(self, timeout: float = 15.0) -> int:
        """SIGTERM, wait; kill if it does not stop. Returns the exit code."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        return int(self.process.returncode)

    def stderr(self) -> str:
        """What the simulator logged so far (useful in assertion messages)."""
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")


def _wait_ready(process: subprocess.Popen[str], stderr_path: Path) -> str:
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        # Keep draining stdout for the life of the process so it can never block on a full pipe.
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    while True:
        try:
            line = lines.get(timeout=READY_TIMEOUT)
        except queue.Empty:
            process.kill()
            raise RuntimeError(f"simulator not ready in {READY_TIMEOUT}s:\n{stderr_path.read_text()}") from None
        if line is None:
            process.wait()
            raise RuntimeError(f"simulator exited ({process.returncode}):\n{stderr_path.read_text()}")
        if line.startswith("READY "):
            return line.strip()


class SimulatorFactory:
    """Starts simulators for one test (or module) and stops them all afterwards."""

    def __init__(self, base_dir: Path) -> None:
        self._base_dir = base_dir
        self._running: list[RunningSimulator] = []
        self._count = 0

    def start(self, *args: str, data_dir: Path | None = None) -> RunningSimulator:
        """Start ``python -m counter_app.sync.simulator --port 0 --data DIR *args``."""
        self._count += 1
        data_dir = data_dir or self._base_dir / f"sim{self._count}"
        data_dir.mkdir(parents=True, exist_ok=True)
        stderr_path = self._base_dir / f"sim{self._count}.stderr.log"
        env = dict(os.environ)
        env["PYTHONPATH"] = str(REPO_ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        command = [sys.executable, "-m", "counter_app.sync.simulator", "--port", "0", "--data", str(data_dir),
                   "--log-level", "WARNING", *args]
        with open(stderr_path, "w", encoding="utf-8") as stderr:
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, text=True, cwd=REPO_ROOT,
                                       env=env)
        try:
            ready = _wait_ready(process, stderr_path)
        except BaseException:
            with contextlib.suppress(Exception):
                process.kill()
            raise
        fields = dict(part.split("=", 1) for part in ready.split()[1:])
        cert = Path(fields["cert"]) if "cert" in fields else None
        sim = RunningSimulator(process, data_dir, int(fields["port"]), fields["url"], cert, stderr_path, args)
        self._running.append(sim)
        return sim

    def close(self) -> None:
        """Stop every simulator this factory started."""
        for sim in self._running:
            sim.stop()
            if sim.process.stdout is not None:
                sim.process.stdout.close()


@pytest.fixture
def simulator_factory(tmp_path: Path) -> Iterator[SimulatorFactory]:
    """Start simulators with custom options; all are stopped after the test."""
    factory = SimulatorFactory(tmp_path)
    yield factory
    factory.close()


@pytest.fixture(scope="module")
def shared_simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSimulator]:
    """One fault-free simulator (no simulated processing) shared by a module's tests."""
    factory = SimulatorFactory(tmp_path_factory.mktemp("shared-simulator"))
    yield factory.start("--no-progress")
    factory.close()
