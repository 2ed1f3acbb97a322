"""Fault campaign (issue #15): repeat the attack run against real processes on loopback.

    .venv/bin/python bench/fault_campaign.py [--rounds N] [--dossiers N] [--seconds S] [--seed S]

Builds a counter data directory with dossiers and scans, starts the provincial-system simulator,
and then, round after round, injects one fault while ``counter-app sync`` runs as a real process:

- **kill-sync**: SIGKILL of ``counter-app sync`` in the middle of a pass;
- **kill-simulator**: SIGKILL of the simulator during a pass, restarted on the same data;
- **clock-jump**: entries queued with the clock a day or a year ahead (then corrected);
- **lock-hold**: another process holds the write lock for longer than the busy timeout while the
  long-running loop sends;
- **full-disk**: the data directory on a tiny tmpfs filled to the last byte (root; otherwise an
  ``RLIMIT_FSIZE`` child), then freed;
- **read-only**: the data directory remounted read-only (root; otherwise ``chmod``): every
  command must answer with a message, and ``backup`` must work;
- **hostile-server**: a server that drips one byte every 2 s, one that sends 300 MB, one that
  answers garbage; ``sync --once`` must end within its deadline without a traceback.

New dossiers are added between rounds. At the end the queue is drained against a healthy
simulator and one table is printed: lost (dossiers the province never received), duplicated,
stranded (entries not synced after the drain), tracebacks (in any command's stderr), and how
many of each fault were injected. Target: 0 / 0 / 0 / 0. Bounded by ``--rounds`` and ``--seconds``.

``HostileServer`` (also used by ``tests/trust/test_hostile_conditions.py``) is a real HTTP server
on 127.0.0.1 that logs in normally and then misbehaves in one chosen way.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


# --- a hostile HTTP server ----------------------------------------------------------------------


class HostileServer:
    """A real HTTP/1.1 server on 127.0.0.1. Login works; every other request gets ``mode``:

    - ``drip``: a 200 whose body arrives one byte every ``interval`` seconds, forever;
    - ``drip-headers``: the status line and headers themselves one byte every ``interval`` seconds;
    - ``huge``: a 200 of ``size`` bytes of JSON-looking filler, as fast as the socket takes it;
    - ``garbage``: a 200 with bytes that are not JSON;
    - ``silent``: reads the request and never answers.
    """

    def __init__(self, mode: str, *, interval: float = 2.0, size: int = 300 * 1024 * 1024) -> None:
        self.mode = mode
        self.interval = interval
        self.size = size
        self.sent = 0  # body bytes sent (all connections)
        self._stop = threading.Event()
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.2)
        self.port = int(self._sock.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._serve, name="hostile-server", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop accepting and end every connection."""
        self._stop.set()
        self._thread.join(5)
        self._sock.close()

    def __enter__(self) -> HostileServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    @staticmethod
    def _read_request(conn: socket.socket) -> tuple[str, str] | None:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, path = lines[0].split(" ")[:2]
        length = next((int(v) for k, _, v in (ln.partition(":") for ln in lines[1:])
                       if k.strip().lower() == "content-length"), 0)
        while len(rest) < length:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            rest += chunk
        return method, path

    def _handle(self, conn: socket.socket) -> None:
        conn.settimeout(1.0)
        try:
            with conn:
                while not self._stop.is_set():
                    try:
                        req = self._read_request(conn)
                    except TimeoutError:
                        continue
                    if req is None:
                        return
                    if req[1].endswith("/auth/login"):
                        body = json.dumps({"error_code": "0", "token": "t-hostile", "expires_in": 3600}).encode()
                        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                     b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
                        continue
                    self._misbehave(conn)
                    return
        except OSError:
            return  # the client gave up: that is the point

    def _misbehave(self, conn: socket.socket) -> None:
        conn.settimeout(None)
        if self.mode == "silent":
            self._stop.wait()
            return
        if self.mode == "garbage":
            body = b"<html>502 \xff\xfe not json"
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            return
        head = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Content-SHA256: 00\r\n"
                b"Content-Length: %d\r\n\r\n" % self.size)
        if self.mode == "drip-headers":
            for byte in head:
                if self._stop.wait(self.interval):
                    return
                conn.sendall(bytes([byte]))
        else:
            conn.sendall(head)
        if self.mode == "huge":
            block = b'{"error_code": "0", "data": [' + b" " * (1024 * 1024 - 30)
            while self.sent < self.size and not self._stop.is_set():
                n = min(len(block), self.size - self.sent)
                conn.sendall(block[:n])
                self.sent += n
            return
        while not self._stop.wait(self.interval):  # drip: one byte at a time, never finishing
            conn.sendall(b" ")
            self.sent += 1


# --- the campaign ---------------------------------------------------------------------------------

TRACEBACK = "Traceback (most recent call last)"


def _can_mount() -> bool:
    if not sys.platform.startswith("linux") or os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    probe = Path(tempfile.mkdtemp(prefix="qmc-mount-probe-"))
    ok = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(probe)],
                        capture_output=True).returncode == 0
    if ok:
        subprocess.run(["umount", str(probe)], check=True)
    probe.rmdir()
    return ok


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Campaign:
    """One data directory, one simulator, many faults; see the module docstring."""

    def __init__(self, work: Path, *, seed: int, dossiers: int, mount: bool) -> None:
        from tests.sync.conftest import SimulatorFactory, add_dossiers, build_counter

        self.rng = random.Random(seed)
        self.work = work
        self.mount = mount
        self.faults: Counter[str] = Counter()
        self.tracebacks: list[str] = []
        self.notes: list[str] = []
        self.slowest_hostile = 0.0
        self.port = _free_port()
        (work / "sims").mkdir(parents=True, exist_ok=True)
        self.factory = SimulatorFactory(work / "sims")
        self.sim_dir = work / "sim-data"
        self.sim = self.factory.start("--port", str(self.port), "--no-progress", data_dir=self.sim_dir)
        self.disk = work / "disk"
        self.disk.mkdir()
        if mount:  # a real small file system: full and read-only really are
            subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(self.disk)], check=True)
        self.root = self.disk / "data"
        counter = build_counter(self.root, endpoint=self.sim.url)
        counter.cdb.set_setting("sync_catalogue_hours", 0)
        counter.cdb.set_setting("sync_interval_seconds", 2)
        self._add = add_dossiers
        self.batches = 0
        self._add(counter, dossiers, files_per_dossier=1, seed=self._next_seed())
        counter.cdb.close()
        self.env = {**os.environ, "COUNTER_APP_USER": "admin", "COUNTER_APP_PASSWORD": "x",
                    "PYTHONUNBUFFERED": "1"}
        self.env.pop("COUNTER_APP_DATA_DIR", None)

    def _next_seed(self) -> int:
        self.batches += 1
        return 1000 * self.batches

    # -- helpers ------------------------------------------------------------------------------

    def _counter(self):  # type: ignore[no-untyped-def]
        from counter_app.db.database import open_database
        from tests.sync.conftest import Counter as SyncCounter

        return SyncCounter(self.root, open_database(self.root / "counter.sqlite3"))

    def add(self, n: int) -> None:
        """New dossiers arrive at the counter between faults (a day 2 MON_10AM-style batch)."""
        import datetime as dt

        counter = self._counter()
        try:
            start = dt.datetime(2026, 10, 5, 8, 0) + dt.timedelta(days=self.batches)
            self._add(counter, n, files_per_dossier=self.rng.choice([0, 1, 2]), start=start, seed=self._next_seed())
        finally:
            counter.cdb.close()

    def _check_stderr(self, label: str, text: str) -> None:
        if TRACEBACK in text:
            self.tracebacks.append(f"{label}: {text[text.index(TRACEBACK):][:1500]}")

    def cli(self, label: str, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """``counter-app ARGS`` as a real process; its stderr is searched for tracebacks."""
        out = subprocess.run([sys.executable, str(ROOT / "main.py"), *args, "--data-dir", str(self.root)],
                             capture_output=True, text=True, timeout=timeout, env=self.env, cwd=ROOT)
        self._check_stderr(label, out.stderr)
        return out

    def start_sync(self) -> tuple[subprocess.Popen[str], Path]:
        err = self.work / f"sync-{time.monotonic_ns()}.err"
        with err.open("w") as handle:
            proc = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "sync", "--data-dir", str(self.root)],
                                    stdout=subprocess.DEVNULL, stderr=handle, env=self.env, cwd=ROOT, text=True)
        return proc, err

    def end_sync(self, proc: subprocess.Popen[str], err: Path, label: str, *, kill: bool) -> None:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
                self.notes.append(f"{label}: sync did not stop on SIGTERM within 30 s")
        self._check_stderr(label, err.read_text(encoding="utf-8", errors="replace"))
        err.unlink(missing_ok=True)

    def _uploading(self, timeout: float) -> bool:
        """Wait (read-only) until the sync process has claimed something, or ``timeout``."""
        deadline = time.monotonic() + timeout
        conn = sqlite3.connect(f"file:{self.root / 'counter.sqlite3'}?mode=ro", uri=True, timeout=5)
        try:
            while time.monotonic() < deadline:
                with contextlib.suppress(sqlite3.Error):
                    if conn.execute("SELECT 1 FROM outbox WHERE state = 'uploading' LIMIT 1").fetchone():
                        return True
                time.sleep(0.01)
            return False
        finally:
            conn.close()

    def restart_simulator(self) -> None:
        self.sim = self.factory.start("--port", str(self.port), "--no-progress", data_dir=self.sim_dir)

    # -- the faults ---------------------------------------------------------------------------

    def kill_sync(self) -> None:
        proc, err = self.start_sync()
        self._uploading(20)
        time.sleep(self.rng.uniform(0, 0.3))  # somewhere in the pass: claims, sends or the outcome commit
        self.end_sync(proc, err, "kill-sync", kill=True)
        self.faults["kill-sync"] += 1
        if self._uploading(0.01):  # killed with entries claimed: really in the middle of a pass
            self.faults["kill-sync (mid-pass: entries left uploading)"] += 1

    def kill_simulator(self) -> None:
        proc, err = self.start_sync()
        self._uploading(20)
        time.sleep(self.rng.uniform(0, 0.3))
        self.sim.process.send_signal(signal.SIGKILL)
        self.sim.process.wait(10)
        self.faults["kill-simulator"] += 1
        time.sleep(self.rng.uniform(0.5, 2.0))  # the province is down for a moment
        self.restart_simulator()
        time.sleep(2.0)
        self.end_sync(proc, err, "kill-simulator", kill=False)

    def clock_jump(self) -> None:
        """New entries queued while the PC's clock ran a day or a year ahead, then corrected."""
        import datetime as dt

        self.add(3)
        skew = self.rng.choice([dt.timedelta(days=1), dt.timedelta(days=365)])
        stamp = (dt.datetime.now() + skew).strftime("%Y-%m-%d %H:%M:%S")
        conn = sqlite3.connect(self.root / "counter.sqlite3", timeout=30)
        with conn:
            conn.execute("UPDATE outbox SET created_at = ?, next_attempt_at = ? WHERE state = 'pending'",
                         (stamp, stamp))
        conn.close()
        self.faults["clock-jump"] += 1
        self.cli("clock-jump sync --once", "sync", "--once")

    def lock_hold(self) -> None:
        """Another process writes for longer than the busy timeout (10 s) while the loop sends."""
        proc, err = self.start_sync()
        self._uploading(20)
        conn = sqlite3.connect(self.root / "counter.sqlite3", isolation_level=None, timeout=30)
        conn.execute("BEGIN IMMEDIATE")
        time.sleep(11.0)
        conn.execute("ROLLBACK")
        conn.close()
        self.faults["lock-hold"] += 1
        time.sleep(3.0)
        self.end_sync(proc, err, "lock-hold", kill=False)

    def full_disk(self) -> None:
        if not self.mount:
            self.notes.append("full-disk skipped: needs root to mount a small tmpfs")
            return
        filler = self.disk / "filler"
        with contextlib.suppress(OSError), filler.open("wb", buffering=0) as f:
            while True:
                f.write(b"\0" * 65536)
        with contextlib.suppress(OSError), (self.disk / "filler2").open("wb", buffering=0) as f:
            while True:
                f.write(b"\0" * 512)
        self.faults["full-disk"] += 1
        out = self.cli("full-disk sync --once", "sync", "--once")
        if out.returncode == 0:
            self.notes.append("full-disk: sync --once reported success on a full disk")
        usb = self.work / "usb"
        out = self.cli("full-disk backup", "backup", "--to", str(usb))
        if out.returncode != 0:
            self.notes.append(f"full-disk: backup to another disk failed: {out.stderr.strip()[-300:]}")
        filler.unlink()
        (self.disk / "filler2").unlink()

    def read_only(self) -> None:
        if not self.mount:
            self.notes.append("read-only skipped: needs root to remount")
            return
        subprocess.run(["mount", "-o", "remount,ro", str(self.disk)], check=True)
        self.faults["read-only"] += 1
        try:
            for args in (["info"], ["check"], ["audit-verify"], ["sync", "--once"]):
                self.cli(f"read-only {args[0]}", *args)
            out = self.cli("read-only backup", "backup", "--to", str(self.work / "usb"))
            if out.returncode != 0:
                self.notes.append(f"read-only: backup failed: {out.stderr.strip()[-300:]}")
        finally:
            subprocess.run(["mount", "-o", "remount,rw", str(self.disk)], check=True)

    def hostile_server(self) -> None:
        mode = self.rng.choice(["drip", "drip-headers", "huge", "garbage", "silent"])
        conn = sqlite3.connect(self.root / "counter.sqlite3", timeout=30)
        with HostileServer(mode, interval=2.0) as server:
            with conn:
                conn.execute("UPDATE settings SET value = ? WHERE key = 'provincial_endpoint'",
                             (json.dumps(server.url),))
            self.faults[f"hostile-server:{mode}"] += 1
            started = time.monotonic()
            self.cli(f"hostile {mode} sync --once", "sync", "--once", timeout=900)
            self.slowest_hostile = max(self.slowest_hostile, time.monotonic() - started)
        with conn:
            conn.execute("UPDATE settings SET value = ? WHERE key = 'provincial_endpoint'", (json.dumps(self.sim.url),))
        conn.close()

    # -- the end ------------------------------------------------------------------------------

    def drain(self) -> int:
        """Sync against the healthy simulator until nothing is left (or 10 tries)."""
        out = None
        for attempt in range(1, 11):
            out = self.cli("drain sync --once", "sync", "--once")
            if out.returncode == 0:
                return attempt
            time.sleep(1.0)
        conn = sqlite3.connect(f"file:{self.root / 'counter.sqlite3'}?mode=ro", uri=True)
        states = conn.execute("SELECT state, count(*), max(attempts), substr(max(last_error), 1, 200) FROM outbox "
                              "WHERE state <> 'synced' GROUP BY state").fetchall()
        conn.close()
        lines = [ln for ln in (out.stderr if out else "").splitlines() if "httpx" not in ln]
        self.notes.append(f"drain did not finish: outbox {states}; last stderr: {lines[-6:]}")
        return -1

    def figures(self) -> dict[str, int]:
        from counter_app.atomicio import sha256_file
        from counter_app.sync import mapping
        from counter_app.sync import protocol as p

        counter = self._counter()
        try:
            held = {}
            duplicated = 0
            for d in self.sim.admin(p.ADMIN_DOSSIERS_PATH)["dossiers"]:
                duplicated += d["MaHoSo"] in held
                held[d["MaHoSo"]] = d
            files = {f["file_id"]: f for f in self.sim.admin(p.ADMIN_FILES_PATH)["files"]}
            stats = self.sim.admin(p.ADMIN_STATS_PATH)
            duplicated += max(0, int(stats["counters"].get("dossiers_created", 0)) - len(held))
            lost = mismatched = files_lost = 0
            ids = [r["id"] for r in counter.cdb.query("SELECT id FROM dossiers")]
            for dossier_id in ids:
                payload = mapping.dossier_payload(counter.cdb, dossier_id)
                remote = held.get(payload["MaHoSo"])
                if remote is None:
                    lost += 1
                    continue
                mismatched += remote["received_sha256"] != p.content_sha256(payload)
            local_files = counter.cdb.query("SELECT uid, sha256, path FROM files WHERE kind <> 'result'")
            for f in local_files:
                remote_file = files.get(f["uid"])
                if remote_file is None or not remote_file["complete"]:
                    files_lost += 1
                elif remote_file["sha256"] != f["sha256"] or sha256_file(self.root / f["path"]) != f["sha256"]:
                    mismatched += 1
            stranded = int(counter.cdb.scalar("SELECT count(*) FROM outbox WHERE state <> 'synced'"))
            return {"dossiers": len(ids), "files": len(local_files), "lost": lost + files_lost,
                    "duplicated": duplicated, "hash mismatches": mismatched, "stranded": stranded,
                    "tracebacks": len(self.tracebacks)}
        finally:
            counter.cdb.close()

    def close(self) -> None:
        self.factory.close()
        if self.mount:
            subprocess.run(["mount", "-o", "remount,rw", str(self.disk)], capture_output=True)
            subprocess.run(["umount", "-l", str(self.disk)], capture_output=True)


FAULTS = ("kill_sync", "kill_simulator", "clock_jump", "lock_hold", "full_disk", "read_only", "hostile_server")


def main(argv: list[str] | None = None) -> int:
    """Run the campaign; print the figures table; exit 0 only if lost/duplicated/stranded/tracebacks are 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=28, help="faults to inject (default 28: 4 of each kind)")
    parser.add_argument("--seconds", type=float, default=900, help="stop injecting after this long")
    parser.add_argument("--dossiers", type=int, default=120, help="dossiers at the start")
    parser.add_argument("--per-round", type=int, default=8, help="new dossiers before each fault")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--only", default=",".join(FAULTS),
                        help=f"comma-separated faults to rotate through (default all: {','.join(FAULTS)})")
    parser.add_argument("--work", type=Path, default=None, help="working folder (default: a new temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the working folder")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="qmc-fault-campaign-"))
    work.mkdir(parents=True, exist_ok=True)
    mount = _can_mount()
    started = time.monotonic()
    campaign = Campaign(work, seed=args.seed, dossiers=args.dossiers, mount=mount)
    try:
        chosen = [f.strip().replace("-", "_") for f in args.only.split(",") if f.strip()]
        unknown = [f for f in chosen if f not in FAULTS]
        if unknown:
            parser.error(f"unknown fault(s): {', '.join(unknown)}")
        plan = [chosen[i % len(chosen)] for i in range(args.rounds)]
        campaign.rng.shuffle(plan)
        for n, fault in enumerate(plan, start=1):
            if time.monotonic() - started > args.seconds:
                campaign.notes.append(f"time limit reached after {n - 1} faults")
                break
            campaign.add(args.per_round)
            t0 = time.monotonic()
            getattr(campaign, fault)()
            print(f"[{n:3d}/{len(plan)}] {fault:15s} {time.monotonic() - t0:6.1f} s", file=sys.stderr, flush=True)
        drained = campaign.drain()
        figures = campaign.figures()
    finally:
        campaign.close()
    total = time.monotonic() - started
    rows = [("dossiers at the counter", figures["dossiers"]), ("files at the counter", figures["files"]),
            ("lost", figures["lost"]), ("duplicated", figures["duplicated"]),
            ("hash mismatches", figures["hash mismatches"]), ("stranded", figures["stranded"]),
            ("tracebacks", figures["tracebacks"])]
    rows += [(f"fault: {k}", v) for k, v in sorted(campaign.faults.items())]
    rows += [("faults injected", sum(v for k, v in campaign.faults.items() if "(" not in k)),
             ("drain passes needed", drained),
             ("slowest sync --once vs hostile server (s)", round(campaign.slowest_hostile, 1)),
             ("campaign seconds", round(total, 1)),
             ("real tmpfs (full disk, read-only)", "yes" if mount else "no")]
    width = max(len(k) for k, _ in rows)
    print(f"{'figure':<{width}} | value")
    print(f"{'-' * width}-|------")
    for k, v in rows:
        print(f"{k:<{width}} | {v}")
    for note in campaign.notes:
        print(f"note: {note}")
    for tb in campaign.tracebacks:
        print(f"TRACEBACK {tb}", file=sys.stderr)
    if not args.keep and args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    bad = sum(figures[k] for k in ("lost", "duplicated", "stranded", "tracebacks", "hash mismatches"))
    return 0 if bad == 0 and drained > 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
