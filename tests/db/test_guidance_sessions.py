"""Guidance sessions and online-filing figures, checked against hand counts."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from counter_app.db import guidance as g
from counter_app.db.catalogue import store_procedures
from counter_app.db.database import CounterDB, open_database
from counter_app.db.dossiers import ApplicantInput, ComponentInput, ReceptionInput, find_citizen, receive
from counter_app.db.files import register_scan
from counter_app.db.setup import add_user
from counter_app.demo import generate
from counter_app.errors import ValidationError
from tests.factories import CERT

NOW = datetime(2026, 11, 23, 10, 0, 0)
AN = ApplicantInput(full_name="Nguyễn Văn An", id_number="001090012345")


class _Cal:
    """Due date = next day, enough for reception here (the real calendar is tested elsewhere)."""

    def due_at(self, received_at: datetime, procedure: object) -> datetime:
        return received_at.replace(hour=17, minute=0)


def _session(cdb: CounterDB, outcome: str, **kw: object) -> g.SessionResult:
    kw.setdefault("procedure_code", "1.001193")
    return g.record_session(cdb, g.SessionInput(outcome=outcome, **kw), _Cal(), now=NOW)  # type: ignore[arg-type]


def test_filed_online_creates_a_channel_2_dossier_in_the_same_transaction(cdb: CounterDB) -> None:
    officer = add_user(cdb, "canbo1", "Nguyễn Thị Lan", "officer", "x")
    res = _session(cdb, "filed_online", applicant=AN, portal_code=" G22.99-261123-0001 ", officer_id=officer)
    assert res.dossier_id and res.dossier_code and res.dossier_code.startswith("H01.37.01-261123-")
    d = cdb.query_one("SELECT * FROM dossiers WHERE id = ?", (res.dossier_id,))
    assert d is not None
    assert (d["channel"], d["status"], d["portal_code"], d["officer_id"]) == (2, 2, "G22.99-261123-0001", officer)
    assert d["fee_total"] == 0  # online amount of the birth fee, not the paper 8.000 đ
    states = {r["component_code"]: r["state"] for r in
              cdb.query("SELECT * FROM dossier_components WHERE dossier_id = ?", (res.dossier_id,))}
    # The optional «Văn bản ủy quyền (nếu có)» gets no row, as at reception: never "missing" (Mẫu 02).
    assert states == {"TK": "received", "GCS": "received", "CCCD": "shown"}
    assert cdb.scalar("SELECT count(*) FROM outbox WHERE dossier_id = ? AND state = 'pending'",
                      (res.dossier_id,)) == 1  # syncs like any other dossier
    s = cdb.query_one("SELECT * FROM guidance_sessions WHERE id = ?", (res.session_id,))
    assert s is not None
    assert (s["outcome"], s["dossier_id"], s["portal_code"], s["applicant_name"], s["officer_id"]) == \
        ("filed_online", res.dossier_id, "G22.99-261123-0001", "Nguyễn Văn An", officer)
    assert s["citizen_id"] == d["citizen_id"] is not None


def test_same_portal_code_is_not_counted_twice_and_nothing_is_half_written(cdb: CounterDB) -> None:
    _session(cdb, "filed_online", applicant=AN, portal_code="G22.99-261123-0001")
    before = (cdb.scalar("SELECT count(*) FROM dossiers"), cdb.scalar("SELECT count(*) FROM guidance_sessions"))
    with pytest.raises(ValidationError, match="đã được ghi nhận"):
        _session(cdb, "filed_online", applicant=AN, portal_code="G22.99-261123-0001")
    # A failure inside receive() (a required component marked missing) rolls the session back too.
    with pytest.raises(ValidationError, match="thiếu thành phần"):
        _session(cdb, "filed_online", applicant=AN, portal_code="G22.99-261123-0002",
                 components=[ComponentInput("TK", "received"), ComponentInput("GCS", "missing")])
    for outcome, kw, words in [
        ("filed_online", {"applicant": AN, "portal_code": ""}, "Chưa nhập mã hồ sơ"),
        ("filed_online", {"portal_code": "G22.99-261123-0003"}, "họ tên"),
        ("paper", {}, "Chưa chọn lý do"),
        ("paper", {"reason_code": "other"}, "ghi rõ lý do"),
        ("paper", {"reason_code": "not_fully_online"}, "đã trực tuyến toàn trình"),
    ]:
        with pytest.raises(ValidationError, match=words):
            _session(cdb, outcome, **kw)
    after = (cdb.scalar("SELECT count(*) FROM dossiers"), cdb.scalar("SELECT count(*) FROM guidance_sessions"))
    assert after == before


def test_not_online_procedure_cannot_be_recorded_as_filed_online(cdb: CounterDB) -> None:
    store_procedures(cdb, [{**CERT, "code": "2.000884", "name": "Chứng thực chữ ký", "online_level": "khong"}])
    with pytest.raises(ValidationError, match="chưa được cung cấp trực tuyến"):
        _session(cdb, "filed_online", procedure_code="2.000884", applicant=AN, portal_code="G22.99-1")
    ok = _session(cdb, "paper", procedure_code="2.000884", reason_code="not_fully_online")
    assert ok.session_id


def test_online_only_paper_needs_a_supervisor_override_with_reason(cdb: CounterDB) -> None:
    officer = add_user(cdb, "canbo1", "Nguyễn Thị Lan", "officer", "x")
    boss = add_user(cdb, "giamsat", "Phạm Quốc Hùng", "supervisor", "bí mật")
    kw = {"procedure_code": "9.999999", "reason_code": "no_smartphone", "officer_id": officer}
    with pytest.raises(ValidationError, match="chỉ tiếp nhận trực tuyến"):
        _session(cdb, "paper", **kw)
    with pytest.raises(ValidationError, match="lãnh đạo/giám sát"):
        _session(cdb, "paper", override_by=officer, override_reason="Người cao tuổi", **kw)
    with pytest.raises(ValidationError, match="lý do"):
        _session(cdb, "paper", override_by=boss, override_reason="  ", **kw)
    with pytest.raises(ValidationError, match="Sai tên đăng nhập hoặc mật khẩu"):
        g.verify_supervisor(cdb, "giamsat", "sai")
    with pytest.raises(ValidationError, match="không có quyền"):
        g.verify_supervisor(cdb, "canbo1", "x")
    sid = g.verify_supervisor(cdb, "GiamSat", "bí mật")
    res = _session(cdb, "paper", override_by=sid, override_reason="Người cao tuổi, không có điện thoại", **kw)
    s = cdb.query_one("SELECT * FROM guidance_sessions WHERE id = ?", (res.session_id,))
    assert s is not None and (s["override_by"], s["override_reason"], s["reason_code"]) == \
        (boss, "Người cao tuổi, không có điện thoại", "no_smartphone")
    assert g.override_allows_paper(cdb, {"session_id": res.session_id}, "9.999999")
    assert not g.override_allows_paper(cdb, {"session_id": res.session_id}, "1.001193")
    assert not g.override_allows_paper(cdb, None, "9.999999")
    # The online-only procedure can still be recorded as filed online, without any override.
    assert _session(cdb, "filed_online", procedure_code="9.999999", applicant=AN, portal_code="G22-9-1").dossier_id


def test_components_digitised_for_an_online_filing_are_reusable(cdb: CounterDB) -> None:
    res = _session(cdb, "filed_online", applicant=AN, portal_code="G22.99-261123-0009")
    comp = cdb.scalar("SELECT id FROM dossier_components WHERE dossier_id = ? AND component_code = 'GCS'",
                      (res.dossier_id,))
    register_scan(cdb, dossier_component_id=comp, rel_path="scans/x.pdf", name="GCS.pdf", sha256="0" * 64,
                  size=10, page_count=1, declared_pages=1, signed=False, meta={}, officer_id=None, now=NOW)
    citizen = find_citizen(cdb, "001090012345")
    assert citizen is not None and [d["component_code"] for d in citizen["digitised"]] == ["GCS"]


def test_settings_template_and_target(cdb: CounterDB) -> None:
    assert g.url_template(cdb) == g.DEFAULT_PORTAL_URL_TEMPLATE and g.target_percent(cdb) == 20.0
    g.set_url_template(cdb, "https://dichvucong.hanoi.gov.vn/tthc/{code}")
    assert g.url_template(cdb) == "https://dichvucong.hanoi.gov.vn/tthc/{code}"
    with pytest.raises(ValidationError):
        g.set_url_template(cdb, "https://dichvucong.hanoi.gov.vn/tthc")
    cdb.set_setting(g.SETTING_URL_TEMPLATE, "rác")  # edited by hand: fall back rather than break guidance
    assert g.url_template(cdb) == g.DEFAULT_PORTAL_URL_TEMPLATE
    g.set_target_percent(cdb, 40)
    assert g.target_percent(cdb) == 40.0
    with pytest.raises(ValidationError):
        g.set_target_percent(cdb, 140)


def _receive(cdb: CounterDB, when: datetime, channel: int, decision: str = "accept") -> None:
    comps = [ComponentInput("BC", "shown"), ComponentInput("BS", "received")]
    receive(cdb, ReceptionInput("2.000815", ApplicantInput("Trần Thị Bình"), comps, decision=decision,
                                channel=channel, reason="thiếu" if decision != "accept" else "",
                                received_at=when), _Cal(), now=when)


def test_figures_small_hand_count(cdb: CounterDB) -> None:
    for day in range(2, 12):                       # 10 accepted in November, 2 of them online
        _receive(cdb, datetime(2026, 11, day, 9), 2 if day in (3, 7) else 1)
    _receive(cdb, datetime(2026, 11, 12, 9), 1, decision="refuse")   # no code: not "received"
    _receive(cdb, datetime(2026, 10, 30, 9), 2)                       # October
    _receive(cdb, datetime(2026, 12, 1, 8), 2)                        # December
    f = g.figures(cdb, date(2026, 11, 23))
    assert (f.share.online, f.share.received, f.share.percent) == (2, 10, 20.0)
    assert (f.year_share.online, f.year_share.received) == (3, 11)   # Jan–Nov
    assert g.online_share(cdb, date(2026, 10, 1)) == g.Share(1, 1)
    assert f.needed == 0 and f.sessions == 0 and f.top_reasons == ()
    assert g.figures_line(f) == "Nộp trực tuyến tháng 11/2026: 20,0% (2/10) · chỉ tiêu 20% — đã đạt · " \
        "hướng dẫn 0 lượt, 0 nộp trực tuyến"


def test_figures_from_a_demo_database_match_a_hand_count(tmp_path: Path) -> None:
    cdb = open_database(tmp_path / "demo.sqlite3")
    generate(cdb, tmp_path, 400, now=NOW, months=3, with_files=False, with_guidance=False)  # sessions by hand
    month = date(2026, 11, 1)
    # Guidance sessions this month: 3 filed online, 2 later, 5 paper (3 no_eid, 1 no_smartphone, 1 other),
    # plus one session last month that must not count.
    for i in range(3):
        g.record_session(cdb, g.SessionInput("1.001193", "filed_online", applicant=ApplicantInput(f"Công dân {i}"),
                                             portal_code=f"G01.37-261120-{i:04d}", at=datetime(2026, 11, 20, 9, i)),
                         now=datetime(2026, 11, 20, 9, i))
    for i in range(2):
        g.record_session(cdb, g.SessionInput("1.001193", "later", at=datetime(2026, 11, 21, 10, i)))
    for i, reason in enumerate(["no_eid", "no_smartphone", "no_eid", "other", "no_eid"]):
        g.record_session(cdb, g.SessionInput("2.000815", "paper", reason_code=reason, reason_text="Bận",
                                             at=datetime(2026, 11, 22, 14, i)))
    g.record_session(cdb, g.SessionInput("1.001193", "paper", reason_code="no_smartphone",
                                         at=datetime(2026, 10, 31, 16, 0)))

    # Hand count, in Python over the raw rows (no SQL aggregation).
    online = received = 0
    for row in cdb.query("SELECT channel, received_at, code FROM dossiers"):
        if row["code"] and row["received_at"].startswith("2026-11-"):
            received += 1
            online += row["channel"] == 2
    assert received > 50 and 0 < online < received  # the demo really has both channels this month

    f = g.figures(cdb, month)
    assert (f.share.online, f.share.received) == (online, received)
    assert f.share.percent == pytest.approx(100 * online / received)
    assert (f.sessions, f.filed_online, f.later, f.paper, f.overrides) == (10, 3, 2, 5, 0)
    assert f.conversion_percent == 30.0
    assert [(c, n) for c, _label, n in f.top_reasons] == [("no_eid", 3), ("no_smartphone", 1), ("other", 1)]
    assert f.top_reasons[0][1] == "Chưa có tài khoản định danh điện tử mức độ 2 (VNeID)"
    assert f.target_percent == 20.0
    needed = f.needed
    assert needed >= 0 and (needed == 0 or (online + needed) / (received + needed) >= 0.2)
    line = g.figures_line(f)
    assert f"({online}/{received})" in line and "hướng dẫn 10 lượt, 3 nộp trực tuyến" in line
    assert line.endswith("nộp giấy chủ yếu vì: chưa có tài khoản VNeID mức 2 (3)")
    print(f"demo November: {online}/{received} online = {f.share.percent:.1f}% · need {needed} more · {line}")


def test_demo_records_guidance_sessions_and_ratings_consistent_with_its_dossiers(tmp_path: Path) -> None:
    cdb = open_database(tmp_path / "demo.sqlite3")
    generate(cdb, tmp_path, 1500, now=NOW, months=3, with_files=False)
    by_outcome = {r["outcome"]: int(r["n"]) for r in cdb.query(
        "SELECT outcome, count(*) AS n FROM guidance_sessions GROUP BY outcome")}
    assert set(by_outcome) == {"filed_online", "later", "paper"} and all(by_outcome.values())
    # A session "filed online" points at an online dossier under the code the portal gave it.
    assert cdb.query("""SELECT s.id FROM guidance_sessions s JOIN dossiers d ON d.id = s.dossier_id
                        WHERE s.outcome = 'filed_online' AND (d.channel <> 2 OR s.portal_code <> d.code)""") == []
    assert cdb.query("""SELECT s.id FROM guidance_sessions s JOIN dossiers d ON d.id = s.dossier_id
                        WHERE s.outcome = 'paper' AND (d.channel <> 1 OR s.reason_code IS NULL)""") == []
    assert cdb.scalar("SELECT count(*) FROM guidance_sessions WHERE at > ?", (NOW.isoformat(sep=" "),)) == 0
    rated = cdb.query("SELECT status, satisfaction FROM dossiers WHERE satisfaction IS NOT NULL")
    assert rated and {r["status"] for r in rated} == {10} and {r["satisfaction"] for r in rated} <= {1, 2, 3, 4, 5}
    f = g.figures(cdb, date(2026, 11, 1))
    assert f.sessions > 0 and f.filed_online > 0 and f.top_reasons  # the supervisor's panel is not empty
    cdb.close()
