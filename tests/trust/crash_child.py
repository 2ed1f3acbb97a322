"""Child process of the crash-safety tests: does real work in a loop and prints what it confirmed.

A line is printed (and flushed) only after the call returned, i.e. after the transaction
committed — exactly what the officer would have seen confirmed on screen. The parent kills this
process with SIGKILL at a random moment and checks that every printed item survived.

Usage: python crash_child.py receive DATA_DIR START
       python crash_child.py scan DATA_DIR
       python crash_child.py fill|fillscans DATA_DIR COPY_TO   (on a tiny tmpfs: until the disk is full)
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from counter_app import vault
from counter_app.db.database import CounterDB
from counter_app.db.dossiers import transition
from counter_app.domain.lifecycle import Status
from counter_app.errors import CounterError
from tests.trust.trust_helpers import make_data_dir, receive_one, scan_component


def _say(*parts: object) -> None:
    # One write(2) of a whole line (< PIPE_BUF bytes, so atomic): a kill can never leave half a line
    # that the parent would misread (print() may write piece by piece when stdout is unbuffered).
    os.write(1, (" ".join(str(p) for p in parts) + "\n").encode("utf-8"))


def receive_loop(root: Path, start: int) -> None:
    cdb = CounterDB(root / "counter.sqlite3")
    _say("READY")
    i = start
    while True:
        dossier_id = receive_one(cdb, name=f"Công dân {i}", id_number=f"001099{i:06d}")
        code = cdb.scalar("SELECT code FROM dossiers WHERE id = ?", (dossier_id,))
        _say("RECEIVED", dossier_id, code)
        transition(cdb, dossier_id, Status.PROCESSING, officer_id=1)
        _say("PROCESSING", dossier_id)
        i += 1


def scan_loop(root: Path) -> None:
    cdb = CounterDB(root / "counter.sqlite3")
    ids = [r["id"] for r in cdb.query("SELECT id FROM dossiers ORDER BY id")]
    _say("READY")
    n = 0
    while True:
        for dossier_id in ids:
            for code in ("TK", "GCS"):
                f = scan_component(root, cdb, dossier_id, code=code, seed=n)
                _say("FILE", f.file_id, f.rel_path, f.sha256)
                n += 1


def fill_until_full(root: Path, copy_to: Path, scans_only: bool) -> None:
    """Receive and scan (or only scan, with large pages) until the tiny disk is full; report the
    error; copy the data out for the parent to check."""
    data, cdb = make_data_dir(root)
    confirmed: list[str] = []
    files: list[str] = []
    error: dict[str, str] = {}
    i = 0
    try:
        first = receive_one(cdb, name="Công dân đầu", id_number="001099999999")
        confirmed.append(cdb.scalar("SELECT code FROM dossiers WHERE id = ?", (first,)))
        while i < 10_000:
            if scans_only:  # rescans of one component: files fill the disk, the database barely grows
                f = scan_component(data.root, cdb, first, seed=i, big=True)
            else:
                dossier_id = receive_one(cdb, name=f"Công dân {i}", id_number=f"001099{i:06d}")
                confirmed.append(cdb.scalar("SELECT code FROM dossiers WHERE id = ?", (dossier_id,)))
                f = scan_component(data.root, cdb, dossier_id, seed=i)
            files.append(f.rel_path)
            i += 1
    except CounterError as exc:
        error = {"type": type(exc).__name__, "message": exc.user_message()}
    except Exception as exc:  # the test fails on this: an unclear error
        error = {"type": type(exc).__name__, "message": str(exc)}
    # The officer carries on after freeing space: the same connection must still work.
    try:
        cdb.query("SELECT count(*) FROM dossiers")
    finally:
        cdb.close()
    shutil.copytree(data.root, copy_to)
    _say(json.dumps({"confirmed": confirmed, "files": files, "error": error}, ensure_ascii=False))


PASSPHRASE = "crash-test passphrase"


if __name__ == "__main__":
    mode, root = sys.argv[1], Path(sys.argv[2])
    if vault.encryption_on(root):  # an encrypted data directory: open it as the app does at start
        vault.open_with_passphrase(root, PASSPHRASE)
    if mode == "receive":
        receive_loop(root, int(sys.argv[3]))
    elif mode == "scan":
        scan_loop(root)
    elif mode in ("fill", "fillscans"):
        fill_until_full(root, Path(sys.argv[3]), scans_only=mode == "fillscans")
    else:
        raise SystemExit(f"unknown mode {mode}")
