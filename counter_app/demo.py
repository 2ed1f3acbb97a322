"""Realistic demo data: Vietnamese citizens, dossiers over recent months, digitised components.

Used by ``counter-app demo-data`` and offered on first start. Everything is seeded, so a test or a
benchmark can regenerate the same database. 100,000 dossiers must generate in well under two
minutes on a counter PC: rows are prepared in Python and written with ``executemany`` in a few large
transactions; scans come from a small pool of generated PDFs shared by many dossiers.

In an encrypted data directory (``keys.json``, :mod:`counter_app.vault`) the personal columns are
sealed per batch, with their blind indexes, and each pool PDF is stored as its own envelope (bound to
its path) through :func:`counter_app.vault.store`; dossiers sharing a pool file share its path, so
100,000 dossiers still mean 12 files on disk.
"""

from __future__ import annotations

import io
import json
import logging
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from counter_app import vault
from counter_app.atomicio import sha256_bytes
from counter_app.db import outbox, privacy
from counter_app.db.database import CounterDB
from counter_app.db.dossiers import fee_snapshot_row, ts
from counter_app.db.settings import AgencySettings, SyncSettings, replace
from counter_app.db.setup import SetupInput, add_user, is_configured, load_default_catalogue_into, run_setup
from counter_app.domain import codes
from counter_app.domain.lifecycle import regulation_profile
from counter_app.domain.online import REASONS
from counter_app.paths import RESOURCES
from counter_app.textnorm import fold

log = logging.getLogger(__name__)

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
            "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trịnh", "Đoàn", "Lương"]
MIDDLE_M = ["Văn", "Đức", "Minh", "Quốc", "Thanh", "Hữu", "Công", "Xuân", "Ngọc", "Trọng", "Gia", "Anh"]
MIDDLE_F = ["Thị", "Thu", "Ngọc", "Thanh", "Minh", "Mai", "Hồng", "Kim", "Phương", "Bảo", "Diệu", "Khánh"]
GIVEN_M = ["An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hùng", "Khoa", "Long", "Nam", "Phúc",
           "Quân", "Sơn", "Thắng", "Tuấn", "Việt", "Vinh", "Huy", "Đông", "Kiên", "Lộc", "Trung", "Tùng"]
GIVEN_F = ["Anh", "Chi", "Dung", "Giang", "Hà", "Hằng", "Hạnh", "Hoa", "Hương", "Lan", "Linh", "Loan",
           "Mai", "My", "Nga", "Ngân", "Nhung", "Oanh", "Phương", "Quyên", "Thảo", "Trang", "Vân", "Yến"]
STREETS = ["Đội Cấn", "Kim Mã", "Liễu Giai", "Nguyễn Thái Học", "Phan Đình Phùng", "Hoàng Hoa Thám",
           "Quán Thánh", "Điện Biên Phủ", "Ngọc Hà", "Văn Cao", "Giảng Võ", "Trần Phú", "Lê Duẩn"]

DEMO_AGENCY = SetupInput(
    agency_code="H01.37.01",
    agency_name="Trung tâm Phục vụ hành chính công phường Ba Đình",
    parent_name="ỦY BAN NHÂN DÂN PHƯỜNG BA ĐÌNH",
    place_name="Ba Đình",
    unit_code="00004",
    province_name="Thành phố Hà Nội",
    workstation_slot=0,
    provincial_endpoint="http://127.0.0.1:8765",
    admin_username="admin",
    admin_full_name="Quản trị hệ thống",
    admin_password="demo",
)
DEMO_USERS = [
    ("canbo1", "Nguyễn Thị Lan", "officer"),
    ("canbo2", "Trần Văn Minh", "officer"),
    ("canbo3", "Lê Thu Hà", "officer"),
    ("giamsat", "Phạm Quốc Hùng", "supervisor"),
]
DEMO_PASSWORD = "demo"


@dataclass
class DemoReport:
    """What :func:`generate` produced."""

    dossiers: int
    citizens: int
    files: int
    seconds: float


def _wards() -> list[str]:
    path = RESOURCES / "reference" / "admin-units" / "vn_units_2026-07-25.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        hn = next(p for p in data if p["Code"] == "01")
        return [w["FullName"] for w in hn["Wards"]]
    except (OSError, StopIteration, KeyError, ValueError):
        return ["Phường Ba Đình", "Phường Ngọc Hà", "Phường Giảng Võ"]


def _id_number(rng: random.Random, birth: date, female: bool) -> str:
    century = (birth.year - 1900) // 100  # 0 for 1900s, 1 for 2000s
    digit = century * 2 + (1 if female else 0)
    prov = rng.choice(["001", "001", "001", "034", "036", "038", "040", "031", "022"])
    return f"{prov}{digit}{birth.year % 100:02d}{rng.randrange(10**6):06d}"


def _demo_page_pdf(rng: random.Random, title: str) -> tuple[bytes, int]:
    """A small 'scanned' A4 page as PDF (JPEG inside), with a red seal: what a digitised copy looks like."""
    from PIL import Image, ImageDraw, ImageFont

    w, h = 1240, 1754  # A4 at 150 dpi keeps the demo data small
    img = Image.new("RGB", (w, h), (250, 249, 245))
    d = ImageDraw.Draw(img)
    font_path = RESOURCES / "fonts" / "LiberationSerif-Regular.ttf"
    if not font_path.exists():
        font_path = Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf")
    try:
        big = ImageFont.truetype(str(font_path), 34)
        small = ImageFont.truetype(str(font_path), 24)
    except OSError:
        big = small = ImageFont.load_default()
    d.text((w // 2, 90), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", font=big, fill=(20, 20, 20), anchor="mm")
    d.text((w // 2, 135), "Độc lập - Tự do - Hạnh phúc", font=small, fill=(20, 20, 20), anchor="mm")
    d.text((w // 2, 260), title.upper(), font=big, fill=(20, 20, 20), anchor="mm")
    y = 360
    for _ in range(rng.randint(14, 24)):
        d.line((120, y, rng.randint(700, 1120), y), fill=(60, 60, 60), width=3)
        y += 48
    cx, cy = 900, y + 140
    d.ellipse((cx - 110, cy - 110, cx + 110, cy + 110), outline=(200, 30, 30), width=8)
    d.ellipse((cx - 80, cy - 80, cx + 80, cy + 80), outline=(200, 30, 30), width=4)
    buf = io.BytesIO()
    img.save(buf, format="PDF", resolution=150, quality=70)
    return buf.getvalue(), 1


def ensure_demo_setup(cdb: CounterDB) -> None:
    """Configure the demo agency, users and catalogue if the database is empty."""
    if not is_configured(cdb):
        run_setup(cdb, DEMO_AGENCY)
        # The demo account of the provincial-system simulator (python -m counter_dev.simulator).
        replace(SyncSettings.load(cdb), username="demo").save(cdb, None)
        privacy.set_secret_setting(cdb, "sync_password", "demo")
    load_default_catalogue_into(cdb)
    for username, name, role in DEMO_USERS:
        if not cdb.scalar("SELECT 1 FROM users WHERE username = ?", (username,)):
            add_user(cdb, username, name, role, DEMO_PASSWORD)


def ensure_demo_certificates(cdb: CounterDB, data_root: Path) -> None:
    """Give each demo account a self-signed signing certificate (passphrase ``demo``).

    Real officers use the certificate issued to them (PKCS#12 file or USB token); these exist so the
    scanning station can be tried end to end. They are marked as test certificates in their subject.
    """
    from counter_app.scanning.signing import create_demo_certificate

    for row in cdb.query("SELECT id, username, full_name FROM users WHERE signing_cert_path IS NULL"):
        rel = f"certs/{row['username']}.p12"
        create_demo_certificate(row["full_name"], data_root / rel, DEMO_PASSWORD)
        with cdb.write():
            cdb.conn.execute("UPDATE users SET signing_cert_path = ? WHERE id = ?", (rel, row["id"]))


def generate(
    cdb: CounterDB,
    data_root: Path,
    n_dossiers: int,
    *,
    seed: int = 2026,
    now: datetime | None = None,
    months: int = 6,
    progress: Callable[[int, int], None] | None = None,
    with_files: bool = True,
    with_guidance: bool = True,
) -> DemoReport:
    """Fill the database with ``n_dossiers`` realistic dossiers received over the last ``months``.

    ``with_guidance`` also records the counter's online-filing guidance sessions (most online
    dossiers were helped at the counter; some citizens will file later; some file on paper, with
    the reason) and the citizens' 1–5 ratings of returned dossiers, so the supervisor's figures
    are not empty in a demo.
    """
    import time as _time

    from counter_app.db.calendar_store import load_calendar

    t0 = _time.perf_counter()
    rng = random.Random(seed)
    now = (now or datetime.now()).replace(microsecond=0)
    # Keys of an encrypted directory (vault.Locked if not opened: never write personal data in clear).
    ring = vault.require_ring(data_root)
    ensure_demo_setup(cdb)
    if with_files:
        ensure_demo_certificates(cdb, data_root)
    cal = load_calendar(cdb)
    agency_settings = AgencySettings.load(cdb)
    agency, unit = agency_settings.agency_code, agency_settings.unit
    officers = [r["id"] for r in cdb.query("SELECT id FROM users WHERE role = 'officer'")] or [None]
    procs = cdb.query("SELECT * FROM procedures WHERE active = 1")
    comps: dict[str, list[dict[str, Any]]] = {}
    for r in cdb.query("SELECT * FROM procedure_components ORDER BY procedure_code, position"):
        comps.setdefault(r["procedure_code"], []).append(r)
    # The fees as reception freezes them per dossier (issue #16): unentered province fees stay None;
    # the one Procedure shape and the one fee rule (domain.catalogue.charges), ordered by fee code as
    # reception orders its snapshot.
    from counter_app.db.catalogue import load_procedures
    from counter_app.domain.catalogue import charges

    shaped = {p.code: p for p in load_procedures(cdb)}
    fees = {code: sorted(p.fees, key=lambda f: f.code) for code, p in shaped.items()}
    # A few procedures dominate real counters (chứng thực, khai sinh, cư trú): weight them.
    weights = [8.0 if fold(p["field_name"]).startswith(("chung thuc", "ho tich")) else 1.0 for p in procs]
    timings = {p["code"]: shaped[p["code"]] for p in procs}  # a Procedure is what due_at reads
    wards = _wards()

    # Working moments in the window, as candidate reception times.
    start_day = (now - timedelta(days=months * 30)).date()
    days: list[date] = []
    d = start_day
    # Today only once the office has opened: before that, a reception "now" would fall outside
    # office hours (a demo generated just after midnight had one at 00:00).
    opened = now.time() > cal.office_hours.sessions[0][0]
    while d <= now.date():
        if cal.is_working_day(d) and (d < now.date() or opened):
            days.append(d)
        d += timedelta(days=1)

    pool: list[tuple[str, str, int, int, str]] = []  # (relative path, sha256, size, pages, meta) on disk
    if with_files:
        for i in range(12):
            data, pages = _demo_page_pdf(rng, rng.choice(["Giấy chứng sinh", "Giấy xác nhận", "Tờ khai", "Bản sao"]))
            rel = f"scans/demo/demo-page-{i:02d}.pdf"
            # An envelope of its own when encrypted; sha/size of the bytes on disk, the PDF's in meta
            # (what the provincial system receives), as scanning.output does for real scans.
            sha, size = vault.store(data_root, rel, data)
            meta = json.dumps({"plain_sha256": sha256_bytes(data), "plain_size": len(data)})
            pool.append((rel, sha, size, pages, meta))

    seq_by_day_slot: dict[tuple[str, int], int] = {}
    citizens: dict[str, int] = {}
    next_citizen_id = int(cdb.scalar("SELECT COALESCE(MAX(id), 0) FROM citizens")) + 1
    next_dossier_id = int(cdb.scalar("SELECT COALESCE(MAX(id), 0) FROM dossiers")) + 1
    next_comp_id = int(cdb.scalar("SELECT COALESCE(MAX(id), 0) FROM dossier_components")) + 1
    created = ts(now)
    n_files = 0
    batch = 5000

    def personal(rows: dict[str, list[tuple[Any, ...]]]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """The batch's personal columns sealed (when encrypted), blind-indexed and masked, column by column."""
        # Positions in the tuples built below — citizens: 1 id_number, 4 date_of_birth, 6 address,
        # 7 phone; dossiers: 7 ID number, 8 address, 9 phone. Extra columns are appended at the end.
        cit, dos = rows["citizens"], rows["dossiers"]
        cit_cols = {i: [r[i] for r in cit] for i in (1, 4, 6, 7)}
        c_out = [list(r) for r in cit]
        bidx = privacy.lookup_keys(ring, "id", cit_cols[1])  # also each citizen's row key (issue #15)
        for i, name in ((1, "id_number"), (4, "date_of_birth"), (6, "address"), (7, "phone")):
            for row, v in zip(c_out, privacy.seal_column(ring, name, cit_cols[i], bidx), strict=True):
                row[i] = v
        for row, key in zip(c_out, bidx, strict=True):
            row.append(key)
        idns, phones = [r[7] for r in dos], [r[9] for r in dos]
        d_out = [list(r) for r in dos]
        uids = [r[1] for r in dos]  # each dossier's fields are bound to its uid (issue #15 item 5)
        for i, name in ((7, "applicant_id_number"), (8, "applicant_address"), (9, "phone")):
            for row, v in zip(d_out, privacy.seal_column(ring, name, [r[i] for r in dos], uids), strict=True):
                row[i] = v
        extra = zip(privacy.lookup_keys(ring, "id", idns), privacy.mask_column("id", idns),
                    privacy.lookup_keys(ring, "phone", phones), privacy.mask_column("phone", phones), strict=True)
        for row, more in zip(d_out, extra, strict=True):
            row.extend(more)
        return [tuple(r) for r in c_out], [tuple(r) for r in d_out]

    def flush(rows: dict[str, list[tuple[Any, ...]]]) -> None:
        citizens_rows, dossier_rows = personal(rows)  # before the transaction: CPU work only
        with cdb.write():
            c = cdb.conn
            c.executemany(
                "INSERT INTO citizens(id, id_number, full_name, name_folded, date_of_birth, gender, address, "
                "phone, subject_type, created_at, updated_at, id_bidx) VALUES (?,?,?,?,?,?,?,?,1,?,?,?)",
                citizens_rows)
            c.executemany(
                """INSERT INTO dossiers(id, uid, code, procedure_code, citizen_id, applicant_name,
                    applicant_name_folded, applicant_id_number, applicant_address, phone, subject_type, channel,
                    status, received_at, due_at, finished_at, returned_at, return_method, receiving_unit,
                    deciding_unit, regulation_profile, officer_id, workstation, summary, fee_total,
                    created_at, updated_at, applicant_id_bidx, applicant_id_masked, phone_bidx, phone_masked)
                    VALUES (?,?,?,?,?,?,?,?,?,?,1,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
                dossier_rows)
            c.executemany(
                """INSERT INTO dossier_components(id, dossier_id, component_code, position, name, originals,
                    copies, required, state, page_count_declared) VALUES (?,?,?,?,?,?,?,?,?,?)""",
                rows["components"])
            c.executemany(
                """INSERT INTO files(uid, dossier_id, dossier_component_id, kind, path, name, size, sha256,
                    page_count, signed, created_by, created_at, meta) VALUES (?,?,?,'scan',?,?,?,?,?,0,?,?,?)""",
                rows["files"])
            c.executemany(
                "INSERT INTO dossier_events(dossier_id, at, kind, from_status, to_status, officer_id) "
                "VALUES (?,?,?,?,?,?)", rows["events"])
            c.executemany(
                """INSERT INTO dossier_fees(dossier_id, position, code, name, kind, unit_amount, set_by_province,
                    pricing, pages, copies, amount) VALUES (?,?,?,?,?,?,?,?,?,?,?)""", rows["fees"])
            c.executemany("UPDATE dossiers SET submitted_at = ? WHERE id = ?", rows["submitted"])
            outbox.insert_many_synced(cdb, rows["outbox"])
        for v in rows.values():
            v.clear()

    rows: dict[str, list[tuple[Any, ...]]] = {k: [] for k in
                                              ("citizens", "dossiers", "components", "files", "events", "outbox",
                                               "fees", "submitted")}
    # (at, officer, citizen, name, procedure, outcome, portal code, reason, dossier) and (rating, dossier)
    sessions: list[tuple[Any, ...]] = []
    ratings: list[tuple[int, int]] = []
    # Receptions happen in office hours only — never in the lunch break (issue #16 row 14): a minute
    # is drawn over the day's sessions (07:30–11:30, 13:30–17:00 by default) and placed in its session.
    sessions_of_day = cal.office_hours.sessions
    session_minutes = [int((datetime.combine(date.min, e) - datetime.combine(date.min, b)).total_seconds() // 60)
                       for b, e in sessions_of_day]

    def office_moment(day: date, limit: datetime | None = None) -> datetime:
        total = sum(session_minutes)
        if limit is not None:  # today: only the office minutes already past
            total = max(1, sum(min(max(int((limit - datetime.combine(day, b)).total_seconds() // 60), 0), n)
                               for (b, _e), n in zip(sessions_of_day, session_minutes, strict=True)))
        minute = rng.randrange(total)
        for (b, _e), n in zip(sessions_of_day, session_minutes, strict=True):
            if minute < n:
                return datetime.combine(day, b) + timedelta(minutes=minute)
            minute -= n
        return datetime.combine(day, sessions_of_day[-1][1]) - timedelta(minutes=1)

    # Sorting reception times keeps daily sequences increasing with time, like a real counter.
    moments = sorted(
        office_moment(day, now if day == now.date() else None)
        for day in (rng.choice(days) for _ in range(n_dossiers))
    )
    moments = [m if m <= now else now for m in moments]
    for i, received in enumerate(moments):
        proc = rng.choices(procs, weights)[0]
        female = rng.random() < 0.52
        birth = date(rng.randint(1950, 2006), rng.randint(1, 12), rng.randint(1, 28))
        name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE_F if female else MIDDLE_M)} " \
               f"{rng.choice(GIVEN_F if female else GIVEN_M)}"
        idn = _id_number(rng, birth, female)
        address = f"Số {rng.randint(1, 200)} {rng.choice(STREETS)}, {rng.choice(wards)}, Thành phố Hà Nội"
        phone = f"09{rng.randrange(10**8):08d}"
        if idn in citizens:
            cid = citizens[idn]
        else:
            cid = citizens[idn] = next_citizen_id
            next_citizen_id += 1
            rows["citizens"].append((cid, idn, name, fold(name), birth.isoformat(), "Nữ" if female else "Nam",
                                     address, phone, created, created))
        slot = rng.choice((0, 0, 1, 2))
        key = (received.strftime("%y%m%d"), slot)
        seq = seq_by_day_slot.get(key, slot * codes.BLOCK) + 1
        if seq > slot * codes.BLOCK + codes.BLOCK - 1:
            slot, key = 3, (key[0], 3)
            seq = seq_by_day_slot.get(key, 3 * codes.BLOCK) + 1
        seq_by_day_slot[key] = seq
        code = codes.format_code(agency, received.date(), seq)
        due = cal.due_at(received, timings[proc["code"]])
        channel = 2 if proc["online_only"] or rng.random() < 0.14 else (3 if rng.random() < 0.02 else 1)
        late = rng.random() < 0.12
        finished = returned = None
        if due < now:
            status = rng.choices([10, 9, 4, 5, 7], [80, 8, 6, 4, 2])[0]
        else:
            status = rng.choices([2, 4, 9, 5], [30, 55, 10, 5])[0]
        if status in (9, 10):
            span = max((due - received).total_seconds(), 3600)
            finished = received + timedelta(seconds=span * (rng.uniform(1.0, 1.6) if late else rng.uniform(0.3, 1.0)))
            finished = min(finished, now)
            if status == 10:
                returned = min(finished + timedelta(hours=rng.randint(1, 72)), now)
        officer = rng.choice(officers)
        did = next_dossier_id
        next_dossier_id += 1
        pages, copies = rng.randint(1, 6), rng.randint(1, 3)  # chứng thực: pages × copies at reception
        fee_rows = [fee_snapshot_row(did, pos, c) for pos, c in enumerate(
            charges(fees.get(proc["code"], ()), online=channel == 2, pages=pages, copies=copies), start=1)]
        fee_total = sum(r[-1] or 0 for r in fee_rows)
        uid = str(uuid.UUID(int=rng.getrandbits(128)))
        rows["dossiers"].append((
            did, uid, code, proc["code"], cid, name, fold(name), idn, address, phone, channel, status,
            ts(received), ts(due), ts(finished) if finished else None, ts(returned) if returned else None,
            1 if rng.random() < 0.05 else 0, unit, unit, regulation_profile(received.date()), officer,
            str(slot), proc["name"], fee_total, created, created))
        rows["fees"].extend(fee_rows)
        if channel == 2:  # submitted on the portal before the counter received it (NgayNopHoSo)
            rows["submitted"].append((ts(received - timedelta(minutes=rng.randint(20, 60 * 40))), did))
        digitise = channel != 2 and rng.random() < 0.8
        for c in comps.get(proc["code"], []):
            # An optional paper («nếu có») brought half of the time; otherwise no row, as reception
            # records it (domain.inputs.component_states) — never "missing".
            if not c["required"] and rng.random() >= 0.5:
                continue
            state = "shown" if c["show_only"] else "received"
            comp_id = next_comp_id
            next_comp_id += 1
            rows["components"].append((comp_id, did, c["code"], c["position"], c["name"], c["originals"],
                                       c["copies"], c["required"], state, 1 if state == "received" else None))
            if pool and digitise and state == "received":
                rel, sha, size, pages, meta = rng.choice(pool)
                rows["files"].append((str(uuid.UUID(int=rng.getrandbits(128))), did, comp_id, rel,
                                      f"{code}-{c['code']}.pdf", size, sha, pages, officer, ts(received), meta))
                n_files += 1
        if with_guidance:
            helped = received - timedelta(minutes=rng.randint(3, 15))
            if channel == 2 and rng.random() < 0.6:  # filed on the portal with the officer's help
                sessions.append((ts(helped), officer, cid, name, proc["code"], "filed_online", code, None, did))
            elif channel == 1 and not proc["online_only"] and rng.random() < 0.08:
                reason = rng.choices(REASONS, [50, 30, 12, 8])[0]  # why this citizen still filed on paper
                sessions.append((ts(helped), officer, cid, name, proc["code"], "paper", None, reason, did))
            if rng.random() < 0.03:  # shown how, will file from home: no dossier here
                sessions.append((ts(helped), officer, None, "", proc["code"], "later", None, None, None))
            if status == 10 and rng.random() < 0.35:
                ratings.append((rng.choices((5, 4, 3, 2, 1), (55, 30, 10, 3, 2))[0], did))
        rows["events"].append((did, ts(received), "received", None, 2, officer))
        if status not in (2,):
            at = finished or min(received + timedelta(hours=2), now)
            rows["events"].append((did, ts(at), f"status_{status}", 2, status, officer))
        synced = i < n_dossiers - 25  # the newest few are still waiting to sync
        rows["outbox"].append((str(uuid.UUID(int=rng.getrandbits(128))), did,
                               json.dumps({"uid": uid, "code": code, "reason": "received"}), ts(received),
                               "synced" if synced else "pending", ts(received) if synced else None))
        if len(rows["dossiers"]) >= batch:
            flush(rows)
            if progress:
                progress(i + 1, n_dossiers)
    flush(rows)
    with cdb.write():
        cdb.conn.executemany(
            "INSERT INTO guidance_sessions(at, officer_id, citizen_id, applicant_name, procedure_code, outcome, "
            "portal_code, reason_code, dossier_id) VALUES (?,?,?,?,?,?,?,?,?)", sessions)
        cdb.conn.executemany("UPDATE dossiers SET satisfaction = ? WHERE id = ?", ratings)
        for (day, slot), last in seq_by_day_slot.items():
            iso = f"20{day[:2]}-{day[2:4]}-{day[4:]}"
            cdb.conn.execute(
                "INSERT INTO code_sequences(agency_code, day, slot, last) VALUES (?,?,?,?) "
                "ON CONFLICT(agency_code, day, slot) DO UPDATE SET last = MAX(last, excluded.last)",
                (agency, iso, slot, last))
    cdb.conn.execute("ANALYZE")
    if progress:
        progress(n_dossiers, n_dossiers)
    secs = _time.perf_counter() - t0
    log.info("demo data: %d dossiers in %.1f s", n_dossiers, secs)
    return DemoReport(n_dossiers, len(citizens), n_files, secs)
