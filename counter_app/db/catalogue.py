"""Storing the procedure catalogue in the database.

Procedures are kept as rows (for joins and the list query) plus their full JSON, so fields added to
the catalogue format later survive a round trip without a migration.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from counter_app.db.database import CounterDB
from counter_app.domain.catalogue import Component, Fee, Procedure
from counter_app.errors import ValidationError
from counter_app.textnorm import fold


def _as_dict(p: Any) -> dict[str, Any]:
    d = dataclasses.asdict(p) if dataclasses.is_dataclass(p) and not isinstance(p, type) else dict(p)
    cut = d.get("cutoff_time")
    if cut is not None and not isinstance(cut, str):
        d["cutoff_time"] = cut.strftime("%H:%M")
    return d


def store_procedures(cdb: CounterDB, procedures: Iterable[Any], *, version: str = "") -> int:
    """Insert or replace procedures with their components and fees; return how many were stored.

    Dossiers keep their own copy of the component list, so replacing a procedure never changes a
    dossier already received.
    """
    n = 0
    with cdb.write():
        for p in procedures:
            d = _as_dict(p)
            cdb.conn.execute(
                """INSERT INTO procedures(code, name, name_folded, field_code, field_name, processing_days,
                       processing_hours, cutoff_time, processing_text, online_level, online_only,
                       result_name, legal_basis, source, level, active, catalogue_version, data, time_unit)
                   VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1,?,?,?)
                   ON CONFLICT(code) DO UPDATE SET name=excluded.name, name_folded=excluded.name_folded,
                       field_code=excluded.field_code, field_name=excluded.field_name,
                       processing_days=excluded.processing_days, processing_hours=excluded.processing_hours,
                       cutoff_time=excluded.cutoff_time, processing_text=excluded.processing_text,
                       online_level=excluded.online_level, online_only=excluded.online_only,
                       result_name=excluded.result_name, legal_basis=excluded.legal_basis,
                       source=excluded.source, level=excluded.level, active=1,
                       catalogue_version=excluded.catalogue_version, data=excluded.data,
                       time_unit=excluded.time_unit""",
                (d["code"], d["name"], fold(d["name"]), d.get("field_code", ""), d.get("field_name", ""),
                 d.get("processing_days"), d.get("processing_hours"), d.get("cutoff_time"),
                 d.get("processing_text", ""), d.get("online_level", "khong"), int(bool(d.get("online_only"))),
                 d.get("result_name", ""), d.get("legal_basis", ""), d.get("source", ""), d.get("level", "xa"),
                 version, json.dumps(d, ensure_ascii=False, default=str), d.get("time_unit") or "working_days"),
            )
            # Amounts the admin entered on the fee screen survive a re-import of a file that does not
            # know them (amount null): a catalogue update must not blank the province's resolution.
            kept = {r["code"]: r for r in cdb.query(
                "SELECT code, amount, online_amount FROM procedure_fees WHERE procedure_code = ? AND entered = 1",
                (d["code"],))}
            cdb.conn.execute("DELETE FROM procedure_components WHERE procedure_code = ?", (d["code"],))
            cdb.conn.execute("DELETE FROM procedure_fees WHERE procedure_code = ?", (d["code"],))
            for i, c in enumerate(d.get("components", ())):
                cdb.conn.execute(
                    """INSERT INTO procedure_components(procedure_code, code, position, name, originals, copies,
                           required, show_only, note) VALUES (?,?,?,?,?,?,?,?,?)""",
                    (d["code"], c["code"], i + 1, c["name"], int(c.get("originals", 0)), int(c.get("copies", 0)),
                     int(bool(c.get("required", True))), int(bool(c.get("show_only", False))), c.get("note", "")),
                )
            carried = False
            # Copies: the caller's dicts must not change under it.
            d["fees"] = [dict(f) for f in d.get("fees", ())]
            for f in d["fees"]:
                # amount None = not entered yet (a fee the province sets): kept as entered = 0,
                # never as a 0 đồng that would print and sync (issue #16).
                amount = f.get("amount")
                if amount is None and f["code"] in kept:
                    amount = f["amount"] = int(kept[f["code"]]["amount"])
                    f["online_amount"] = kept[f["code"]]["online_amount"]
                    carried = True
                cdb.conn.execute(
                    """INSERT INTO procedure_fees(procedure_code, code, name, kind, amount, online_amount,
                           set_by_province, entered, pricing) VALUES (?,?,?,?,?,?,?,?,?)""",
                    (d["code"], f["code"], f["name"], f.get("kind", "le_phi"), int(amount or 0),
                     f.get("online_amount"), int(bool(f.get("set_by_province", False))),
                     int(amount is not None), f.get("pricing") or "flat"),
                )
            if carried:
                cdb.conn.execute("UPDATE procedures SET data = ? WHERE code = ?",
                                 (json.dumps(d, ensure_ascii=False, default=str), d["code"]))
            n += 1
    return n


def procedure_count(cdb: CounterDB) -> int:
    """Active procedures in the catalogue."""
    return int(cdb.scalar("SELECT count(*) FROM procedures WHERE active = 1"))


def _fee(r: dict[str, Any]) -> Fee:
    # entered = 0: the amount stored is a placeholder 0, the real one is unknown (never 0 đồng).
    return Fee(r["code"], r["name"], r["kind"], int(r["amount"]) if r["entered"] else None, r["online_amount"],
               bool(r["set_by_province"]), "", r["pricing"] or "flat")


def _component(r: dict[str, Any]) -> Component:
    return Component(r["code"], r["name"], int(r["originals"]), int(r["copies"]), bool(r["required"]),
                     bool(r["show_only"]), r["note"] or "")


def _procedure(r: dict[str, Any], components: list[Component], fees: list[Fee]) -> Procedure:
    """The row, its components and fees as the one :class:`Procedure` shape.

    The columns and the component/fee tables are the authority (the fee screen writes them); the
    stored JSON only supplies the search extras, and a damaged or minimal JSON (a placeholder
    procedure made for another counter's dossier) falls back to defaults instead of failing.
    """
    try:
        extra = json.loads(r["data"] or "{}")
    except (TypeError, ValueError):
        extra = {}
    if not isinstance(extra, dict):
        extra = {}
    cut = r["cutoff_time"]
    try:
        cutoff = datetime.strptime(cut, "%H:%M").time() if cut else None
    except (TypeError, ValueError):
        cutoff = None
    keywords = extra.get("keywords") or ()
    return Procedure(
        code=r["code"], name=r["name"], field_code=r["field_code"] or "", field_name=r["field_name"] or "",
        processing_days=r["processing_days"], processing_hours=r["processing_hours"], cutoff_time=cutoff,
        processing_text=r["processing_text"] or "", components=tuple(components), fees=tuple(fees),
        online_level=r["online_level"] or "khong", online_only=bool(r["online_only"]),
        result_name=r["result_name"] or "", legal_basis=r["legal_basis"] or "", source=r["source"] or "",
        level=r["level"] or "xa", confidence=str(extra.get("confidence") or "high"),
        keywords=tuple(str(k) for k in keywords) if isinstance(keywords, list | tuple) else (),
        popularity=int(extra.get("popularity") or 0) if str(extra.get("popularity") or 0).isdigit() else 0,
        extended_days=extra.get("extended_days") if isinstance(extra.get("extended_days"), int | float) else None,
        note=str(extra.get("note") or ""), time_unit=r["time_unit"] or "working_days",
    )


def load_procedure(cdb: CounterDB, code: str) -> Procedure:
    """One procedure of the catalogue (active or not: an old dossier's procedure may be retired).

    Raises :class:`ValidationError` with what to do when the catalogue does not have it.
    """
    row = cdb.query_one("SELECT * FROM procedures WHERE code = ?", (code,))
    if row is None:
        raise ValidationError(
            f"Không tìm thấy thủ tục mã {code} trong danh mục.",
            hint="Cập nhật danh mục thủ tục (Cài đặt → Danh mục) hoặc chọn thủ tục khác.",
        )
    comps = [_component(c) for c in cdb.query(
        "SELECT * FROM procedure_components WHERE procedure_code = ? ORDER BY position", (code,))]
    # rowid: the order the catalogue lists the fees in (store_procedures inserts them in that order).
    fees = [_fee(f) for f in cdb.query(
        "SELECT * FROM procedure_fees WHERE procedure_code = ? ORDER BY rowid", (code,))]
    return _procedure(row, comps, fees)


def load_procedures(cdb: CounterDB) -> list[Procedure]:
    """All active procedures, by code (three queries, whatever the size of the catalogue)."""
    comps: dict[str, list[Component]] = {}
    for c in cdb.query("SELECT c.* FROM procedure_components c JOIN procedures p ON p.code = c.procedure_code "
                       "WHERE p.active = 1 ORDER BY c.procedure_code, c.position"):
        comps.setdefault(c["procedure_code"], []).append(_component(c))
    fees: dict[str, list[Fee]] = {}
    for f in cdb.query("SELECT f.* FROM procedure_fees f JOIN procedures p ON p.code = f.procedure_code "
                       "WHERE p.active = 1 ORDER BY f.procedure_code, f.rowid"):
        fees.setdefault(f["procedure_code"], []).append(_fee(f))
    return [_procedure(r, comps.get(r["code"], []), fees.get(r["code"], []))
            for r in cdb.query("SELECT * FROM procedures WHERE active = 1 ORDER BY code")]


def missing_fee_amounts(cdb: CounterDB) -> list[dict[str, Any]]:
    """Fees of active procedures whose amount nobody has entered (set by the provincial council).

    The admin's to-do list (Cài đặt → Danh mục): until entered, receipts leave the amount blank and
    sync sends the fee without ``Gia``.
    """
    return cdb.query(
        """SELECT p.code AS procedure_code, p.name AS procedure_name, f.code, f.name, f.kind
           FROM procedure_fees f JOIN procedures p ON p.code = f.procedure_code
           WHERE f.entered = 0 AND p.active = 1 ORDER BY p.code, f.code"""
    )


def set_fee_amount(cdb: CounterDB, procedure_code: str, fee_code: str, amount: int,
                   online_amount: int | None = None) -> None:
    """Enter the province's amount for a fee (VND). Dossiers already received keep their snapshot."""
    if amount < 0 or (online_amount is not None and online_amount < 0):
        raise ValueError("fee amounts must not be negative")
    with cdb.write():
        cur = cdb.conn.execute(
            "UPDATE procedure_fees SET amount = ?, online_amount = ?, entered = 1 "
            "WHERE procedure_code = ? AND code = ?",
            (int(amount), online_amount, procedure_code, fee_code),
        )
        if cur.rowcount == 0:
            # A typo in a code must not look like a saved amount.
            raise LookupError(f"no fee {fee_code!r} in procedure {procedure_code!r}")
        row = cdb.query_one("SELECT data FROM procedures WHERE code = ?", (procedure_code,))
        if row is not None:
            data = json.loads(row["data"])
            for fee in data.get("fees", ()):
                if fee.get("code") == fee_code:
                    fee["amount"], fee["online_amount"] = int(amount), online_amount
            cdb.conn.execute("UPDATE procedures SET data = ? WHERE code = ?",
                             (json.dumps(data, ensure_ascii=False, default=str), procedure_code))


def fee_rows(cdb: CounterDB) -> list[dict[str, Any]]:
    """Every fee of the active procedures, the ones nobody entered first (the admin's fee screen).

    ``amount`` is meaningful only when ``entered`` is 1; ``online_amount`` None = same as at the
    counter. ``pricing`` ``per_page``: ``amount`` is the price of one page (chứng thực).
    """
    return cdb.query(
        """SELECT p.code AS procedure_code, p.name AS procedure_name, p.field_code, f.code, f.name, f.kind,
                  f.amount, f.online_amount, f.set_by_province, f.entered, f.pricing
           FROM procedure_fees f JOIN procedures p ON p.code = f.procedure_code
           WHERE p.active = 1 ORDER BY f.entered, p.code, f.code"""
    )
