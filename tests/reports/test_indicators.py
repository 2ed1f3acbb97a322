"""Supervisor's figures against hand counts on the fixture database (tests/reports/conftest.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import numpy as np
import pytest

from counter_app.db import dossiers as repo
from counter_app.db import reviews
from counter_app.db.database import CounterDB
from counter_app.reports import facts as facts_mod
from counter_app.reports import indicators as ind
from tests.reports.conftest import CAL, NOW, add_file, comp

DB = tuple[CounterDB, dict[str, Any]]


def test_october_figures_match_hand_counts(fixture_db: DB) -> None:
    cdb, _ = fixture_db
    m = ind.month_figures(ind.load_facts(cdb), 2026, 10)
    # D1, D2, D3, D4 — D4 was received on 31/10 16:30 and belongs to October; D7 was refused.
    assert m.received == 4
    assert m.by_channel == {1: 3, 2: 1, 3: 0}
    assert m.rate("online") == pytest.approx(25.0)
    # Paper: D1, D2, D4. D2's GCS is exempt and its CCCD only shown: TK alone makes it digitised.
    assert (m.paper, m.digitised) == (3, 2)
    # Issue #16 row 10: the rate's denominator is every dossier received (the national portal's),
    # the online D3 being electronic already: (2 + 1) / 4.
    assert m.digitised_all == 3
    assert m.rate("digitisation") == pytest.approx(75.0)
    # Finished in October: D1 on time, D2 late — its apology's new date does not make it on time.
    assert (m.finished, m.on_time, m.late) == (2, 1, 1)
    assert m.rate("on_time") == pytest.approx(50.0)
    assert m.rate("electronic_results") == pytest.approx(50.0)  # D1's result file
    assert m.rate("reuse") == pytest.approx(0.0)
    # 100 − (late 1/2 + complaints 1/4) = 25
    assert m.complaints == 1
    assert m.rate("satisfaction") == pytest.approx(25.0)


def test_november_figures_match_hand_counts(fixture_db: DB) -> None:
    cdb, _ = fixture_db
    m = ind.month_figures(ind.load_facts(cdb), 2026, 11)
    assert m.received == 2 and m.by_channel == {1: 1, 2: 0, 3: 1}
    # D5 (its copy reuses D1's scan) is digitised; D6 has an unscanned and a rejected component.
    assert (m.paper, m.digitised) == (2, 1)
    # D5 finished after its original deadline (02/11) but within the one moved by the supplement pause.
    assert (m.finished, m.on_time) == (1, 1)
    assert m.rate("on_time") == pytest.approx(100.0)
    assert m.rate("reuse") == pytest.approx(50.0)
    assert m.rate("satisfaction") == pytest.approx(100.0)
    assert m.rate("electronic_results") == pytest.approx(0.0)


def test_empty_month_has_no_rates(fixture_db: DB) -> None:
    cdb, _ = fixture_db
    m = ind.month_figures(ind.load_facts(cdb), 2026, 9)
    assert m.received == 0
    assert all(v is None for v in m.rates().values())


def test_series_equals_single_months(fixture_db: DB) -> None:
    cdb, _ = fixture_db
    f = ind.load_facts(cdb)
    trend = ind.series(f, ind.months_back(2026, 11, 12))
    assert [t.label for t in trend][-2:] == ["10/2026", "11/2026"]
    assert trend[-2] == ind.month_figures(f, 2026, 10)
    assert trend[-1] == ind.month_figures(f, 2026, 11)
    assert sum(t.received for t in trend) == 6


def test_backlog_by_age_officer_procedure(fixture_db: DB) -> None:
    cdb, info = fixture_db
    f = ind.load_facts(cdb)
    b = ind.backlog(f, CAL, NOW.date())
    # D4: 31/10 → 23/11 is 16 working days (> 7); D6: 20/11 (Fri) → 23/11 (Mon) is 1 (0–1).
    assert b.total == 2
    assert b.by_age == [1, 0, 0, 1]
    assert b.components == 3          # D4 GCS; D6 TK and the rejected GCS
    assert b.rescans == 1             # D6
    assert b.by_officer == [(info["o2"], [1, 0, 0, 1])]
    assert b.by_procedure == [("1.001193", [1, 0, 0, 1])]
    assert ind.backlog_ids(f, CAL, NOW.date(), bucket=3) == [info["ids"]["D4"]]
    assert ind.backlog_ids(f, CAL, NOW.date(), bucket=0) == [info["ids"]["D6"]]
    assert ind.backlog_ids(f, CAL, NOW.date(), officer=info["o1"]) == []
    assert ind.backlog_ids(f, CAL, NOW.date(), procedure="1.001193") == [info["ids"]["D4"], info["ids"]["D6"]]
    names = [c["name"] for c in ind.backlog_components(cdb, info["ids"]["D6"])]
    assert names == ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"]


def test_backlog_at_month_end(fixture_db: DB) -> None:
    cdb, _ = fixture_db
    b = ind.backlog(ind.load_facts(cdb), CAL, date(2026, 10, 31), received_before=date(2026, 11, 1),
                    digitised_by=date(2026, 11, 1))
    assert b.total == 1  # D4 only; D1 and D2 were scanned in October


def test_age_buckets_edges() -> None:
    assert [ind.age_bucket(a) for a in (0, 1, 2, 3, 4, 7, 8, 30)] == [0, 0, 1, 1, 2, 2, 3, 3]


def test_working_age_matches_calendar(fixture_db: DB) -> None:
    cdb, _ = fixture_db
    f = ind.load_facts(cdb)
    ages = ind.working_age(f, CAL, NOW.date(), f.valid)
    expected = [CAL.working_days_between(date(1970, 1, 1) + __import__("datetime").timedelta(days=int(d)),
                                         NOW.date()) for d in f.cols["recv_day"]]
    assert ages.tolist() == expected


def test_deadline_lists(fixture_db: DB) -> None:
    cdb, info = fixture_db
    f = ind.load_facts(cdb)
    d = ind.deadline_lists(cdb, NOW, CAL, facts=f)
    ids = info["ids"]
    assert [r["id"] for r in d["overdue"]] == [ids["D3"], ids["D4"]]
    assert d["overdue_count"] == 2
    assert d["overdue"][0]["late_days"] == 32
    # Due soon ends with the second working day after Monday 23/11 (Wednesday 25/11; 24/11 is a
    # working day, issue #16 row 6), exclusive: before Thursday 26/11.
    assert d["soon_until"] == datetime(2026, 11, 26)
    assert [r["id"] for r in d["soon"]] == [ids["D6"]] and d["soon_count"] == 1
    # The SQL counts (no facts) agree.
    d2 = ind.deadline_lists(cdb, NOW, CAL)
    assert (d2["overdue_count"], d2["soon_count"]) == (2, 1)


def test_supplement_pause_is_not_overdue(fixture_db: DB) -> None:
    cdb, info = fixture_db
    d6 = info["ids"]["D6"]
    repo.transition(cdb, d6, 5, now=datetime(2026, 11, 20, 10, 0))
    later = datetime(2026, 12, 10, 8, 0)
    d = ind.deadline_lists(cdb, later, CAL, facts=ind.load_facts(cdb))
    assert d6 not in [r["id"] for r in d["overdue"]]


def _same(a: ind.Facts, b: ind.Facts) -> None:
    av, bv = a.valid, b.valid
    for k in b.cols:
        if k == "procedure":
            np.testing.assert_array_equal(np.asarray(a.procedures)[a.cols[k][av]],
                                          np.asarray(b.procedures)[b.cols[k][bv]])
        else:
            np.testing.assert_array_equal(a.cols[k][av], b.cols[k][bv], err_msg=k)


def test_cache_updates_incrementally(fixture_db: DB) -> None:
    cdb, info = fixture_db
    ind.FactsCache.forget()
    cache = ind.FactsCache.for_db(cdb)
    cache.update(cdb)
    assert cache.update(cdb) is cache.facts and cache.last_changed == 0
    ids = info["ids"]
    # Rescan D6's rejected component and scan its TK; finish D3; receive a new dossier.
    d6 = ids["D6"]
    add_file(cdb, d6, comp(cdb, d6, "GCS"), at="2026-11-23 09:00:00")
    add_file(cdb, d6, comp(cdb, d6, "TK"), at="2026-11-23 09:00:00")
    repo.transition(cdb, ids["D3"], 9, now=datetime(2026, 11, 23, 9, 0))
    new = repo.receive(cdb, repo.ReceptionInput(
        procedure_code="2.000815", applicant=repo.ApplicantInput(full_name="Đỗ Thị Mới"),
        components=[repo.ComponentInput("BC", "shown"), repo.ComponentInput("BS")]), CAL,
        now=datetime(2026, 11, 23, 9, 5)).dossier_id
    f = cache.update(cdb)
    assert cache.last_changed == 3
    _same(f, ind.load_facts(cdb))
    b = ind.backlog(f, CAL, NOW.date())
    assert b.total == 2 and b.rescans == 0  # D4, and the new dossier's copy
    assert new in ind.backlog_ids(f, CAL, NOW.date())
    nov = ind.month_figures(f, 2026, 11)
    assert (nov.finished, nov.on_time) == (2, 1)  # D3 finished late in November
    # A refused-later dossier keeps its code; a deleted one leaves every figure.
    with cdb.write():
        cdb.conn.execute("DELETE FROM dossiers WHERE id = ?", (new,))
        cdb.conn.execute("INSERT INTO dossier_events(dossier_id, at, kind) VALUES (?, '2026-11-23 10:00:00', 'x')",
                         (ids["D1"],))
    f = cache.update(cdb)
    assert ind.month_figures(f, 2026, 11).received == 2
    ind.FactsCache.forget(cdb)


def test_cache_rebuilds_when_database_goes_back(fixture_db: DB) -> None:
    cdb, _ = fixture_db
    cache = ind.FactsCache()
    cache.update(cdb)
    cache.marks["events"] += 1000
    cache.update(cdb)
    assert cache.marks["events"] == int(cdb.scalar("SELECT max(id) FROM dossier_events"))


def test_review_rejection_and_rescan_flow_into_figures(fixture_db: DB) -> None:
    cdb, info = fixture_db
    d6 = info["ids"]["D6"]
    gcs = comp(cdb, d6, "GCS")
    add_file(cdb, d6, comp(cdb, d6, "TK"), at="2026-11-23 09:00:00")
    assert ind.load_facts(cdb).cols["n_done"][-1] == 1  # TK done, GCS rejected
    add_file(cdb, d6, gcs, at="2026-11-23 09:10:00")
    f = ind.load_facts(cdb)
    assert ind.month_figures(f, 2026, 11).digitised == 2
    reviews.reject(cdb, gcs, "Thiếu trang 2", reviewer_id=info["sup"])
    assert ind.month_figures(ind.load_facts(cdb), 2026, 11).digitised == 1


@pytest.mark.parametrize(("value", "target", "band"), [
    (None, 50, "none"), (50, 50, "full"), (70, 50, "full"), (49.9, 50, "close"), (30, 50, "close"),
    (29.9, 50, "low"), (0, 80, "low"), (95, 100, "close"), (100, 100, "full"),
])
def test_bands(value: float | None, target: float, band: str) -> None:
    b = ind.band_for(value, target)
    assert b.name == band
    if value is not None:
        assert b.score == pytest.approx(min(value / target, 1.0))


def test_targets_follow_domain() -> None:
    t = {i.key: i.target for i in ind.INDICATORS}
    assert (t["online"], t["digitisation"], t["reuse"], t["satisfaction"]) == (50, 80, 80, 90)
    assert all(i.formula for i in ind.INDICATORS)


@pytest.mark.parametrize(("today", "exported", "expected"), [
    (date(2026, 12, 1), [], (2026, 11)), (date(2026, 12, 15), [], (2026, 11)), (date(2026, 12, 16), [], None),
    (date(2027, 1, 3), [], (2026, 12)), (date(2026, 12, 2), ["2026-11"], None),
])
def test_report_reminder(today: date, exported: list[str], expected: tuple[int, int] | None) -> None:
    assert ind.report_due_reminder(today, exported) == expected


def test_sync_health(fixture_db: DB) -> None:
    cdb, _ = fixture_db
    with cdb.write():
        cdb.conn.execute("UPDATE outbox SET state = 'error' WHERE id = (SELECT min(id) FROM outbox)")
    cdb.set_setting("sync_last_success_at", "2026-11-22 17:00:00")
    h = ind.sync_health(cdb, NOW)
    n = int(cdb.scalar("SELECT count(*) FROM outbox"))
    assert h["queue"] == n and h["errors"] == 1
    assert h["oldest_at"] == datetime(2026, 10, 5, 9, 0)
    assert h["last_success_at"] == datetime(2026, 11, 22, 17, 0)


def test_dashboard_bundle(fixture_db: DB) -> None:
    cdb, info = fixture_db
    ind.FactsCache.forget()
    d = ind.dashboard(cdb, 2026, 10, now=datetime(2026, 11, 3, 8, 0), cal=CAL)
    assert d.figures.received == 4 and d.trend[-1] == d.figures and len(d.trend) == 12
    assert d.reminder == (2026, 10)
    assert d.officers[info["o2"]] == "Trần Văn Minh"
    assert d.procedures["1.001193"] == "Đăng ký khai sinh"
    # D6's rejected scan is not waiting for review; D1, D2, D4 scans are.
    waiting = {r["dossier_id"] for r in d.reviews}
    assert waiting == {info["ids"]["D1"], info["ids"]["D2"], info["ids"]["D4"]}
    ind.FactsCache.forget()


def test_procedure_breakdown(fixture_db: DB) -> None:
    cdb, _ = fixture_db
    rows = ind.procedure_breakdown(ind.load_facts(cdb), 2026, 11, {"2.000815": "Chứng thực"})
    assert [(r.code, r.received, r.paper, r.digitised, r.finished, r.on_time) for r in rows] == [
        ("1.001193", 1, 1, 0, 0, 0), ("2.000815", 1, 1, 1, 1, 1)]
    assert rows[1].name == "Chứng thực"


def test_merge_paths_match_a_fresh_load(fixture_db: DB) -> None:
    cdb, info = fixture_db
    full = ind.load_facts(cdb)
    ids = info["ids"]
    # An id between existing ones (re-sorted copy), then appends past the capacity (grown buffers).
    partial = ind.load_facts(cdb, [ids["D1"], ids["D2"], ids["D4"]])
    partial.derived("rbits")
    merged = facts_mod._merge(partial, ind.load_facts(cdb, [ids["D3"]]), {ids["D3"]})
    merged.derived("finished")
    merged = facts_mod._merge(merged, ind.load_facts(cdb, [ids["D5"], ids["D6"]]), {ids["D5"], ids["D6"]})
    _same(merged, full)
    for name in ("rbits", "finished", "fbits"):
        np.testing.assert_array_equal(merged.derived(name), full.derived(name))


def test_saved_facts_are_reused_then_checked(fixture_db: DB, tmp_path: Any) -> None:
    cdb, info = fixture_db
    path = tmp_path / "cache" / "facts.npz"
    first = ind.FactsCache(path)
    first.rebuild(cdb)
    assert path.exists()
    # Next session: starts from the file (no build), catches up on a change made since.
    repo.transition(cdb, info["ids"]["D3"], 9, now=datetime(2026, 11, 23, 9, 0))
    second = ind.FactsCache(path)
    f = second.update(cdb)
    assert second.built_at is None and second.last_changed == 0
    _same(f, ind.load_facts(cdb))
    # A change without an event (hand-made SQL) is caught by the count check: full rebuild.
    with cdb.write():
        cdb.conn.execute("UPDATE dossiers SET code = NULL WHERE id = ?", (info["ids"]["D4"],))
    third = ind.FactsCache(path)
    third.update(cdb)
    assert third.built_at is not None
    _same(third.facts, ind.load_facts(cdb))  # type: ignore[arg-type]
    # A file from another database is ignored.
    with cdb.write():
        cdb.conn.execute("UPDATE dossiers SET uid = 'other' WHERE id = ?", (info["ids"]["D1"],))
    fourth = ind.FactsCache(path)
    fourth.update(cdb)
    assert fourth.built_at is not None
    path.write_bytes(b"garbage")
    fifth = ind.FactsCache(path)
    fifth.update(cdb)
    assert fifth.built_at is not None


def test_stepwise_build_equals_full_load(fixture_db: DB) -> None:
    cdb, info = fixture_db
    cache = ind.FactsCache()
    steps = []
    while (step := cache.build_step(cdb, chunk=2)) is not None:
        steps.append(step)
    assert steps == [(2, 7), (4, 7), (6, 7)]  # 6 coded dossiers of 7, two per slice
    _same(cache.facts, ind.load_facts(cdb))  # type: ignore[arg-type]
    assert cache.build_step(cdb) is None
    # A change during the build is caught up by the next update.
    repo.transition(cdb, info["ids"]["D3"], 9, now=datetime(2026, 11, 23, 9, 0))
    _same(cache.update(cdb), ind.load_facts(cdb))


def test_online_payment_group(fixture_db: DB) -> None:
    # Issue #16 row 10: QĐ 766 "thanh toán trực tuyến" — paid online / received with a fee to pay.
    # October: D1, D2, D4 owe 8.000 đ on paper; D3 (online) owes 0 đ and is not in the denominator.
    cdb, info = fixture_db
    m = ind.month_figures(ind.load_facts(cdb), 2026, 10)
    assert (m.paid_online, m.pay_due) == (0, 3) and m.rate("online_payment") == pytest.approx(0.0)
    repo.record_online_payment(cdb, info["ids"]["D1"], reference="VNPAY-1", now=datetime(2026, 10, 5, 9, 5))
    m = ind.month_figures(ind.load_facts(cdb), 2026, 10)
    assert (m.paid_online, m.pay_due) == (1, 3) and m.rate("online_payment") == pytest.approx(100 / 3)
    assert ind.INDICATOR_BY_KEY["online_payment"].group == "Thanh toán trực tuyến"
    # … and the province is told (DuocThanhToanTrucTuyen was always 0).
    from counter_app.sync.mapping import dossier_payload

    assert dossier_payload(cdb, info["ids"]["D1"])["DuocThanhToanTrucTuyen"] == 1
    assert dossier_payload(cdb, info["ids"]["D2"])["DuocThanhToanTrucTuyen"] == 0


def test_statutory_reporting_period(fixture_db: DB) -> None:
    # Issue #16 row 13: Nghị định 09/2019/NĐ-CP Điều 12 — the 15th of the previous month to the 14th.
    cdb, _ = fixture_db
    f = ind.load_facts(cdb)
    assert ind.period_range(2026, 10, "statutory") == (datetime(2026, 9, 15), datetime(2026, 10, 15))
    assert ind.period_range(2026, 1, "statutory") == (datetime(2025, 12, 15), datetime(2026, 1, 15))
    octo = ind.month_figures(f, 2026, 10, period="statutory")
    # D1 5/10, D2 6/10, D3 7/10 are in 15/9–14/10; D4 (31/10) belongs to the period ending 14/11.
    assert octo.received == 3 and octo.by_channel == {1: 2, 2: 1, 3: 0}
    nov = ind.month_figures(f, 2026, 11, period="statutory")
    assert nov.received == 2  # D4 and D5 (2/11); D6 (20/11) is in the period ending 14/12
    assert ind.month_figures(f, 2026, 12, period="statutory").received == 1
    assert ind.month_figures(f, 2026, 10).received == 4  # the calendar month is unchanged
    # Finished: D1 5/10, D2 9/10 → statutory October; D5 5/11 → November.
    assert (octo.finished, nov.finished) == (2, 1)
    rows = ind.procedure_breakdown(f, 2026, 11, {}, period="statutory")
    assert sum(r.received for r in rows) == 2
