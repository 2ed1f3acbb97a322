"""Printed forms from database rows: map a dossier onto the forms' view model, render, store.

The renderers (counter_app.documents) never see the database; this module is the only mapping.
Generated PDFs are written atomically under ``documents/YYYY/MM/`` of the data directory.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from counter_app import vault
from counter_app.db.database import CounterDB
from counter_app.db.dossiers import dossier_detail, parse_ts
from counter_app.db.settings import AgencySettings
from counter_app.documents import forms as f
from counter_app.documents.model import Agency, Applicant, ComponentLine, FeeLine, FormDossier, FormKind
from counter_app.vnformat import money

SYSTEM_NAME = "Quầy Một Cửa"
# The QR names the issuing information system (DOMAIN §2): the province's Hệ thống thông tin giải
# quyết thủ tục hành chính the counter works for, not this app (issue #16 row 12). Settings key
# ``provincial_system_name`` holds its exact name; without it, the generic name plus the province.
PROVINCIAL_SYSTEM = "Hệ thống thông tin giải quyết thủ tục hành chính"
# Signer of Mẫu 04 and the stop notice (Nghị định 30/2020), Cài đặt → Cơ quan.
SIGNER_SETTINGS = ("signer_head_title", "signer_authority", "signer_title", "signer_name")
FILE_SLUG = {
    FormKind.RECEIPT: "giay-tiep-nhan",
    FormKind.SUPPLEMENT_REQUEST: "phieu-yeu-cau-bo-sung",
    FormKind.REFUSAL: "phieu-tu-choi",
    FormKind.APOLOGY: "phieu-xin-loi",
    FormKind.CONTROL_SLIP: "phieu-kiem-soat",
    FormKind.STOP_NOTICE: "thong-bao-dung",
}


def header_names(agency_name: str, parent_name: str) -> tuple[str, str]:
    """The two header lines as administrative documents print them (Nghị định 30/2020).

    The parent authority is abbreviated («UBND PHƯỜNG BA ĐÌNH») and the unit's own line does not
    repeat the locality the parent line already names («TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG»): the
    header column is narrow on A5, and a five-line header pushes the signatures off the page.
    """
    parent = " ".join(parent_name.upper().split()).replace("ỦY BAN NHÂN DÂN", "UBND").replace("UỶ BAN NHÂN DÂN", "UBND")
    name = " ".join(agency_name.upper().split())
    locality = parent.removeprefix("UBND").strip()
    if locality and name.endswith(locality) and len(name) > len(locality):
        name = name[: -len(locality)].strip()
    return name, parent


def agency_from_settings(cdb: CounterDB) -> Agency:
    """The issuing agency as configured at first-run setup (and the signer, Cài đặt → Cơ quan)."""
    s = AgencySettings.load(cdb)
    name, parent = header_names(s.agency_name, s.parent_name)
    system = s.provincial_system_name
    if not system:
        system = f"{PROVINCIAL_SYSTEM} {s.province_name}" if s.province_name else PROVINCIAL_SYSTEM
    return Agency(
        name=name,
        parent_name=parent,
        code=s.agency_code,
        place_name=s.place_name,
        system_name=system,
        unit_name=s.agency_name,
        head_title=s.signer_head_title,
        signer_authority=s.signer_authority,
        signer_title=s.signer_title,
        head_name=s.signer_name,
    )


def fee_total_text(fees: list[dict[str, Any]]) -> str:
    """The dossier's fees as one text for the screens, from its snapshot (``dossier_detail()["fees"]``).

    ``8.000 đồng``; ``không thu`` when there is no fee; a fee nobody had entered at reception is
    unknown, so the total is too (the detail page used to print «0 đ», DOMAIN §3: never 0 đồng).
    """
    if not fees:
        return "không thu"
    amounts = [r.get("amount") for r in fees]
    if any(a is None for a in amounts):
        known = sum(int(a) for a in amounts if a is not None)
        return "chưa rõ (có khoản chưa nhập mức thu" + (f"; đã biết {money(known)})" if known else ")")
    return money(sum(int(a) for a in amounts if a is not None))


def _fee_line(row: dict[str, Any]) -> FeeLine:
    """A fee of the dossier's snapshot (frozen at reception) as the receipt prints it."""
    detail = ""
    if row.get("pricing") == "per_page" and row.get("pages"):
        detail = f"{int(row['pages']):02d} trang × {int(row.get('copies') or 1):02d} bản"
    amount = row.get("amount")
    return FeeLine(name=row["name"], amount=None if amount is None else int(amount), kind=row["kind"],
                   set_by_province=bool(row.get("set_by_province")), detail=detail)


def form_dossier(cdb: CounterDB, dossier_id: int, *, reason: str = "",
                 new_due_at: dt.datetime | None = None) -> FormDossier:
    """A dossier (with its checklist and fees) as the forms' view model."""
    d = dossier_detail(cdb, dossier_id)
    p = d["procedure"]
    officer = cdb.scalar("SELECT full_name FROM users WHERE id = ?", (d["officer_id"],)) if d["officer_id"] else ""
    # The snapshot taken at reception: a later catalogue change never rewrites an old receipt.
    fees = tuple(_fee_line(x) for x in d["fees"])
    received = parse_ts(d["received_at"])
    assert received is not None
    return FormDossier(
        code=d["code"] or "",
        procedure_code=d["procedure_code"],
        procedure_name=p.name,
        applicant=Applicant(full_name=d["applicant_name"], id_number=d["applicant_id_number"],
                            address=d["applicant_address"], phone=d["phone"], email=d["email"]),
        received_at=received,
        due_at=parse_ts(d["due_at"]),
        components=tuple(
            ComponentLine(name=c["name"], originals=c["originals"], copies=c["copies"], status=c["state"],
                          note=c["note"])
            for c in d["components"]
        ),
        processing_text=p.processing_text,
        processing_days=p.processing_days,
        return_method="post" if d["return_method"] == 1 else "counter",
        fees=fees,
        register_book=f"{received.year}",
        register_seq=(d["code"] or "").rsplit("-", 1)[-1],
        officer_name=officer or "",
        # Empty = the form set in force on each form's issue day (issue #16 row 4); an admin
        # override pins one set for every form.
        profile=AgencySettings.load(cdb).regulation_profile_override,
        reason=reason or d["note"] or "",
        new_due_at=new_due_at,
        lead_unit=d["deciding_unit"] if d["deciding_unit"] != d["receiving_unit"] else "",
    )


RENDERERS: dict[FormKind, Any] = {
    FormKind.RECEIPT: f.render_receipt,
    FormKind.SUPPLEMENT_REQUEST: f.render_supplement_request,
    FormKind.REFUSAL: f.render_refusal,
    FormKind.APOLOGY: f.render_apology,
    FormKind.CONTROL_SLIP: f.render_control_slip,
    FormKind.STOP_NOTICE: f.render_stop_notice,
}


def render_form(cdb: CounterDB, dossier_id: int, kind: FormKind, **kw: Any) -> bytes:
    """Render one form for a dossier to PDF bytes."""
    return RENDERERS[kind](form_dossier(cdb, dossier_id, **kw), agency_from_settings(cdb))


def store_form(data_root: Path, dossier_code: str, dossier_id: int, kind: FormKind, pdf: bytes,
               now: dt.datetime | None = None) -> Path:
    """Write a rendered form atomically under documents/YYYY/MM/ and return its path.

    Forms carry the applicant's ID number and address, so in an encrypted data directory they are
    stored as envelopes like scans (read them back with :func:`counter_app.vault.load_path`);
    raises :class:`counter_app.vault.Locked` if the directory is encrypted but not unlocked.
    """
    now = now or dt.datetime.now()
    safe = re.sub(r"[^A-Za-z0-9.\-]", "_", dossier_code or f"hs{dossier_id}")
    rel = f"documents/{now:%Y}/{now:%m}/{safe}-{FILE_SLUG[kind]}-{now:%H%M%S}.pdf"
    vault.store(data_root, rel, pdf)
    return data_root / rel
