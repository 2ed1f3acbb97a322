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

import json
import socket
import sys
import threading
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
