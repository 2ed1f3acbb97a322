"""Demo data and printed samples agree with the catalogue, office hours and the code rules (issue #16 row 14).

The demo database feeds every figure of the supervisor's page and the monthly report, and the
samples feed the form previews: a sample contradicting the catalogue teaches officers the wrong rule.
"""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path

from counter_app import demo
from counter_app.db.calendar_store import load_calendar
from counter_app.db.database import open_database
from counter_app.db.dossiers import parse_ts, procedure_row, procedure_timing
from counter_app.documents.profiles import ND61_2018, ND118_2025
from counter_app.domain import codes
from counter_app.domain.calendar import WorkCalendar
from counter_app.domain.catalogue import load_default_catalogue
from counter_dev.samples import sample_dossier, sample_register_rows

NOW = datetime(2026, 11, 23, 15, 0)


def test_demo_receptions_respect_office_hours_fees_and_daily_codes(tmp_path: Path) -> None:
    cdb = open_database(tmp_path / "c.sqlite3")
    demo.generate(cdb, tmp_path, 400, now=NOW, months=2, with_files=False, with_guidance=False)
    cal = load_calendar(cdb)
    rows = cdb.query("SELECT id, code, procedure_code, channel, received_at, due_at, submitted_at, workstation "
                     "FROM dossiers")
    assert len(rows) == 400
    lunch = [r for r in rows if time(11, 30) <= parse_ts(r["received_at"]).time() < time(13, 30)]
    assert lunch == []  # no reception in the lunch break
    assert all(cal.is_working_day(parse_ts(r["received_at"]).date()) for r in rows)
    # The code's sequence restarts every day in every workstation's block (DOMAIN §3).
    firsts: dict[tuple[str, str], int] = {}
    for r in rows:
        day, seq = r["code"].rsplit("-", 2)[-2:]
        key = (day, r["workstation"])
        firsts[key] = min(firsts.get(key, 10**6), int(seq))
    assert all(seq == int(slot) * codes.BLOCK + 1 for (_day, slot), seq in firsts.items() if slot != "3")
    # Due dates are the calendar's for the procedure (calendar-day limits included).
    for r in rows[:100]:
        proc = procedure_row(cdb, r["procedure_code"])
        assert parse_ts(r["due_at"]) == cal.due_at(parse_ts(r["received_at"]), procedure_timing(proc))
    # Every dossier has its fee snapshot; a province fee nobody entered is unknown, never 0.
    assert cdb.scalar("SELECT count(*) FROM dossier_fees f JOIN procedure_fees p ON p.procedure_code = "
                      "(SELECT procedure_code FROM dossiers WHERE id = f.dossier_id) AND p.code = f.code "
                      "WHERE p.entered = 0 AND f.amount IS NOT NULL") == 0
    with_fees = cdb.scalar("SELECT count(DISTINCT d.id) FROM dossiers d JOIN procedure_fees p "
                           "ON p.procedure_code = d.procedure_code")
    assert cdb.scalar("SELECT count(DISTINCT dossier_id) FROM dossier_fees") == with_fees
    # Online filings carry the time they were submitted on the portal, before the reception.
    online = [r for r in rows if r["channel"] == 2]
    assert online and all(r["submitted_at"] and r["submitted_at"] < r["received_at"] for r in online)
    # Optional papers («nếu có») are brought or absent — absent has no row, as at reception; none is
    # "missing" (that would print "chưa nộp" on Mẫu 01 and ask for it on Mẫu 02).
    optional = cdb.query("SELECT c.state FROM dossier_components c JOIN dossiers d ON d.id = c.dossier_id "
                         "JOIN procedure_components p ON p.procedure_code = d.procedure_code "
                         "AND p.code = c.component_code WHERE p.required = 0")
    assert optional and all(r["state"] != "missing" for r in optional)
    cdb.close()


def test_samples_follow_the_catalogue_and_the_calendar() -> None:
    # Khai sinh (1.001193) is "ngay trong ngày" in the catalogue, not "05 ngày làm việc".
    birth = next(p for p in load_default_catalogue() if p.code == "1.001193")
    cal = WorkCalendar.default()
    for profile in (ND61_2018, ND118_2025):
        d = sample_dossier(profile)
        assert d.procedure_code == birth.code and d.processing_text == birth.processing_text
        assert d.due_at == cal.due_at(d.received_at, birth)
        assert cal.office_start(d.received_at) == d.received_at  # received in office hours
    rows = sample_register_rows(40)
    per_day: dict[str, list[int]] = {}
    for r in rows:
        assert cal.is_working_day(r.received_at.date()) and cal.office_start(r.received_at) == r.received_at
        day, seq = r.code.rsplit("-", 2)[-2:]
        per_day.setdefault(day, []).append(int(seq))
    assert all(seqs == list(range(1, len(seqs) + 1)) for seqs in per_day.values())  # restart daily
