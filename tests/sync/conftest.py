"""Fixtures that run the provincial-system simulator as a real subprocess on loopback.

``simulator_factory.start(*args)`` launches ``python -m counter_dev.simulator --port 0``
with a fresh (or given) data directory, waits for its ``READY port=...`` line and returns a
:class:`RunningSimulator`; every process started is stopped when the test ends.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import itertools
import os
import queue
import ssl
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
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
        """Start ``python -m counter_dev.simulator --port 0 --data DIR *args``."""
        self._count += 1
        data_dir = data_dir or self._base_dir / f"sim{self._count}"
        data_dir.mkdir(parents=True, exist_ok=True)
        stderr_path = self._base_dir / f"sim{self._count}.stderr.log"
        env = dict(os.environ)
        env["PYTHONPATH"] = str(REPO_ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        command = [sys.executable, "-m", "counter_dev.simulator", "--port", "0", "--data", str(data_dir),
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


# --- the counter side: a database with dossiers and files, for the sync client's tests -----------


@dataclass
class Counter:
    """A counter's data directory with a configured database (see :func:`build_counter`)."""

    root: Path
    cdb: Any  # counter_app.db.database.CounterDB (imported lazily: the simulator tests need none of it)

    @property
    def db_path(self) -> Path:
        """The SQLite file (for a second connection in another thread or process)."""
        return self.root / "counter.sqlite3"


MON_10AM = datetime.datetime(2026, 10, 5, 10, 0)  # a Monday: an ordinary working day
_agencies = itertools.count(100 + os.getpid() % 5000)


def add_dossiers(counter: Counter, n: int, *, files_per_dossier: int = 1, file_size: int = 3000,
                 start: datetime.datetime = MON_10AM, seed: int = 0) -> list[int]:
    """Receive ``n`` accepted dossiers, each with ``files_per_dossier`` digitised components.

    Every file is real bytes on disk, a ``files`` row and an outbox ``file`` entry, written in
    one transaction for speed (one fsync for the lot).
    """
    import random
    import uuid

    from counter_app.db import dossiers as repo
    from counter_app.domain.calendar import WorkCalendar

    cdb = counter.cdb
    rng = random.Random(seed)
    calendar = WorkCalendar.default()
    scans = counter.root / "scans" / "test"
    scans.mkdir(parents=True, exist_ok=True)
    ids = []
    components = ["TK", "GCS", "UQ"][:max(files_per_dossier, 1)]
    with cdb.write():
        for i in range(n):
            # 600 a day stays well inside one workstation's block of 999 codes per day.
            when = start + datetime.timedelta(days=i // 600, seconds=37 * (i % 600))
            data = repo.ReceptionInput(
                procedure_code="1.001193",
                applicant=repo.ApplicantInput(full_name=f"Nguyễn Văn Thử {i}", id_number=f"0011900{i:05d}",
                                              phone=f"09{i:08d}", address="Phường Ba Đình, Hà Nội"),
                components=[repo.ComponentInput("TK"), repo.ComponentInput("GCS"),
                            repo.ComponentInput("CCCD", "shown"), repo.ComponentInput("UQ")],
                officer_id=1, received_at=when)
            result = repo.receive(cdb, data, calendar, now=when)
            ids.append(result.dossier_id)
            for code in components[:files_per_dossier]:
                comp_id = cdb.scalar("SELECT id FROM dossier_components WHERE dossier_id = ? AND component_code = ?",
                                     (result.dossier_id, code))
                uid = str(uuid.UUID(int=rng.getrandbits(128)))
                content = b"%PDF-1.4\n" + rng.randbytes(file_size)
                rel = f"scans/test/{uid}.pdf"
                (counter.root / rel).write_bytes(content)
                sha = hashlib.sha256(content).hexdigest()
                name = f"{result.code}-{code}.pdf"
                cdb.conn.execute(
                    "INSERT INTO files(uid, dossier_id, dossier_component_id, kind, path, name, size, sha256, "
                    "created_at) VALUES (?, ?, ?, 'scan', ?, ?, ?, ?, ?)",
                    (uid, result.dossier_id, comp_id, rel, name, len(content), sha, repo.ts(when)))
                repo.enqueue(cdb, result.dossier_id, "file",
                             {"file_uid": uid, "dossier_code": result.code, "component_code": code, "sha256": sha,
                              "size": len(content), "name": name}, when)
    return ids


def build_counter(root: Path, *, endpoint: str = "", username: str = "demo", password: str = "demo",
                  ca_file: str | None = None, agency: str = "H01.37.01") -> Counter:
    """A configured counter database under ``root`` (catalogue of tests/factories.py)."""
    from tests.factories import make_db

    root.mkdir(parents=True, exist_ok=True)
    cdb = make_db(root / "counter.sqlite3", agency=agency)
    cdb.set_setting("provincial_endpoint", endpoint)
    cdb.set_setting("sync_username", username)
    cdb.set_setting("sync_password", password)
    if ca_file:
        cdb.set_setting("sync_ca_file", ca_file)
    return Counter(root, cdb)


@pytest.fixture
def make_counter(tmp_path: Path) -> Iterator[Callable[..., Counter]]:
    """``make_counter(name, endpoint=..., ...)``: a configured counter under ``tmp_path/name``; closed after."""
    made: list[Counter] = []

    def make(name: str = "counter", **kw: Any) -> Counter:
        # A fresh agency code per counter: dossier codes then never collide on a simulator that
        # several tests share (module-scoped ``shared_simulator``).
        n = next(_agencies)
        kw.setdefault("agency", f"H01.{n // 100:02d}.{n % 100:02d}")
        c = build_counter(tmp_path / name, **kw)
        made.append(c)
        return c

    yield make
    for c in made:
        with contextlib.suppress(Exception):
            c.cdb.close()


@pytest.fixture
def fill() -> Callable[..., list[int]]:
    """``fill(counter, n, ...)``: :func:`add_dossiers` as a fixture (test modules do not import conftest)."""
    return add_dossiers
