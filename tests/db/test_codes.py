"""Dossier codes: format, and no collisions between offline workstations or concurrent writers."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import pytest

from counter_app.db.database import open_database
from counter_app.db.dossiers import next_code
from counter_app.domain import codes
from counter_app.errors import ValidationError
from tests.factories import make_db


def test_format_and_parse() -> None:
    code = codes.format_code("H15.50.05.13", date(2026, 10, 8), 975)
    assert code == "H15.50.05.13-261008-0975"
    assert codes.parse_code(code) == ("H15.50.05.13", date(2026, 10, 8), 975)
    for bad in ("H15-2610-0975", "H15.50-261308-0001", "", "H15.50.05.13-261008-975"):
        with pytest.raises(ValidationError):
            codes.parse_code(bad)


def test_agency_code_validation() -> None:
    assert codes.validate_agency_code(" H15.50.05.13 ") == "H15.50.05.13"
    for bad in ("", "H15 50", "x;DROP TABLE", "-H15"):
        with pytest.raises(ValidationError):
            codes.validate_agency_code(bad)


def test_slot_blocks_are_disjoint() -> None:
    ranges = [set(range(*(lambda a, b: (a, b + 1))(*codes.slot_range(s)))) for s in range(codes.SLOTS)]
    for i in range(codes.SLOTS):
        for j in range(i + 1, codes.SLOTS):
            assert not ranges[i] & ranges[j]
    assert codes.slot_range(0) == (1, 999)
    with pytest.raises(ValidationError):
        codes.slot_range(10)


def test_offline_workstations_never_collide(tmp_path: Path) -> None:
    """Four counters of one ward, each with its own offline database, receiving all day."""
    day = date(2026, 10, 8)
    all_codes: list[str] = []
    for slot in range(4):
        cdb = make_db(tmp_path / f"ws{slot}.db", slot=slot)
        all_codes += [next_code(cdb, "H01.37.01", day, slot) for _ in range(250)]
        cdb.close()
    assert len(all_codes) == len(set(all_codes)) == 1000
    assert all(codes.parse_code(c)[1] == day for c in all_codes)


def test_sequence_exhaustion_is_a_clear_error(tmp_path: Path) -> None:
    cdb = make_db(tmp_path / "c.db")
    day = date(2026, 1, 5)
    cdb.conn.execute("INSERT INTO code_sequences VALUES ('H01.37.01', ?, 0, 998)", (day.isoformat(),))
    assert next_code(cdb, "H01.37.01", day, 0).endswith("-0999")
    with pytest.raises(codes.SequenceExhausted) as exc:
        next_code(cdb, "H01.37.01", day, 0)
    assert "máy" in exc.value.user_message().lower()


def test_concurrent_threads_on_one_database(tmp_path: Path) -> None:
    make_db(tmp_path / "c.db").close()
    got: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        cdb = open_database(tmp_path / "c.db")
        mine = [next_code(cdb, "H01.37.01", date(2026, 3, 3), 1) for _ in range(40)]
        with lock:
            got.extend(mine)
        cdb.close()

    threads = [threading.Thread(target=worker) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == len(set(got)) == 200


def test_concurrent_processes_on_one_database(tmp_path: Path) -> None:
    """The app and the headless sync process may write the same file: IMMEDIATE transactions serialise them."""
    make_db(tmp_path / "c.db").close()
    script = (
        "import sys; from datetime import date; from counter_app.db.database import open_database;"
        "from counter_app.db.dossiers import next_code;"
        "c = open_database(sys.argv[1]);"
        "print('\\n'.join(next_code(c, 'H01.37.01', date(2026,3,3), 2) for _ in range(60)))"
    )
    procs = [subprocess.Popen([sys.executable, "-c", script, str(tmp_path / "c.db")], stdout=subprocess.PIPE,
                              text=True) for _ in range(3)]
    out: list[str] = []
    for p in procs:
        stdout, _ = p.communicate(timeout=120)
        assert p.returncode == 0
        out += stdout.split()
    assert len(out) == len(set(out)) == 180
