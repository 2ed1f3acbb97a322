"""One Procedure shape, one fee rule, and fees frozen per dossier for every reader (issue #17 item 4)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pypdf
import pytest

from counter_app.db import dossiers as repo
from counter_app.db.catalogue import load_procedure, load_procedures, set_fee_amount, store_procedures
from counter_app.db.database import CounterDB
from counter_app.documents.model import FormKind
from counter_app.domain.calendar import WorkCalendar
from counter_app.domain.catalogue import Procedure, charges, procedure_from_dict, total_if_known
from counter_app.domain.lifecycle import Channel
from counter_app.errors import ValidationError
from counter_app.services.forms import form_dossier, render_form
from counter_app.sync.mapping import dossier_payload
from tests.factories import BIRTH, CERT, make_db

CAL = WorkCalendar.default()


@pytest.fixture
def cdb(tmp_path: Path) -> CounterDB:
    return make_db(tmp_path / "c.db")


def _receive(cdb: CounterDB, code: str, comps: list[str], **kw: object) -> int:
    data = repo.ReceptionInput(procedure_code=code, applicant=repo.ApplicantInput(full_name="Trần Văn Bình"),
                               components=[repo.ComponentInput(c) for c in comps], **kw)  # type: ignore[arg-type]
    return repo.receive(cdb, data, CAL, now=dt.datetime(2026, 10, 8, 9, 0)).dossier_id


def test_the_database_returns_the_domain_shape(cdb: CounterDB) -> None:
    p = load_procedure(cdb, "1.001193")
    assert isinstance(p, Procedure)
    # The same procedure as the catalogue file describes it: one shape from file to database and back.
    assert p == procedure_from_dict({**BIRTH, "source": "test"})
    assert [x.code for x in load_procedures(cdb)] == sorted(x.code for x in load_procedures(cdb))
    assert all(isinstance(x, Procedure) for x in load_procedures(cdb))
    cert = load_procedure(cdb, CERT["code"])
    assert cert.cutoff_time == dt.time(15, 0) and cert.processing_hours == 4
    with pytest.raises(ValidationError, match="Không tìm thấy thủ tục"):
        load_procedure(cdb, "0.000000")


def test_an_entered_fee_and_an_unentered_one(cdb: CounterDB) -> None:
    set_fee_amount(cdb, "1.001193", "LP", 9000, online_amount=0)
    fee = load_procedure(cdb, "1.001193").fees[0]
    assert (fee.amount, fee.online_amount) == (9000, 0)
    cdb.conn.execute("UPDATE procedure_fees SET entered = 0 WHERE procedure_code = '1.001193'")
    assert load_procedure(cdb, "1.001193").fees[0].amount is None  # unknown, never 0 đồng


def test_one_fee_rule_charges_the_online_amount() -> None:
    birth = procedure_from_dict(BIRTH)
    assert [c.amount for c in charges(birth.fees, online=False)] == [8000]
    # The reception screen's own total once ignored this: an online filing of khai sinh is free here.
    assert [c.amount for c in charges(birth.fees, online=True)] == [0]
    cert = procedure_from_dict({**CERT, "fees": [{**CERT["fees"][0], "pricing": "per_page"}]})
    assert total_if_known(charges(cert.fees, online=False, pages=5, copies=3)) == 21000
    assert total_if_known(charges(cert.fees, online=False)) is None  # no page count: unknown


def test_reprint_and_sync_keep_the_fee_of_the_day_of_reception(cdb: CounterDB) -> None:
    did = _receive(cdb, "1.001193", ["TK", "GCS", "CCCD"])
    online = _receive(cdb, "1.001193", ["TK", "GCS", "CCCD"], channel=Channel.ONLINE)
    # The province's new resolution, entered after reception.
    set_fee_amount(cdb, "1.001193", "LP", 15000, online_amount=5000)
    assert [f.amount for f in form_dossier(cdb, did).fees] == [8000]
    text = " ".join(pypdf.PdfReader(io.BytesIO(render_form(cdb, did, FormKind.RECEIPT))).pages[0]
                    .extract_text().split())
    assert "8.000 đồng" in text and "15.000" not in text
    assert [f["Gia"] for f in dossier_payload(cdb, did)["DanhSachLePhi"]] == [8000]
    assert [f["Gia"] for f in dossier_payload(cdb, online)["DanhSachLePhi"]] == [0]
    assert cdb.scalar("SELECT fee_total FROM dossiers WHERE id = ?", (did,)) == 8000
    # A dossier received after the change is charged the new amount.
    later = _receive(cdb, "1.001193", ["TK", "GCS", "CCCD"])
    assert [f["Gia"] for f in dossier_payload(cdb, later)["DanhSachLePhi"]] == [15000]


def test_the_detail_fee_text_comes_from_the_snapshot_and_never_says_zero(cdb: CounterDB) -> None:
    from counter_app.services.forms import fee_total_text

    did = _receive(cdb, "1.001193", ["TK", "GCS", "CCCD"])
    set_fee_amount(cdb, "1.001193", "LP", 15000)
    assert fee_total_text(repo.dossier_detail(cdb, did)["fees"]) == "8.000 đồng"
    store_procedures(cdb, [{**CERT, "fees": [{**CERT["fees"][0], "pricing": "per_page"}]}], version="test")
    cert = _receive(cdb, "2.000815", ["BC", "BS"])  # per-page fee without a page count: unknown
    assert fee_total_text(repo.dossier_detail(cdb, cert)["fees"]).startswith("chưa rõ")
    assert fee_total_text([]) == "không thu"
