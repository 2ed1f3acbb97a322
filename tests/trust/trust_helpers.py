"""Shared helpers of the trust tests: a data directory with dossiers and real scan files."""

from __future__ import annotations

import atexit
import shutil
import sqlite3
import tempfile
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from counter_app.db.database import CounterDB
from counter_app.db.dossiers import ApplicantInput, ComponentInput, ReceptionInput, receive
from counter_app.domain.calendar import WorkCalendar
from counter_app.paths import DataDir
from tests.factories import make_db

if TYPE_CHECKING:  # the scan pipeline (OpenCV, reportlab, pyHanko) is imported only where scans are made
    from counter_app.scanning import output as out

ID_NUMBER = "001099012345"
T0 = datetime(2026, 10, 5, 9, 0)


_template: Path | None = None


def fresh_db(path: Path) -> CounterDB:
    """Same as ``tests.factories.make_db`` (configured, small catalogue, admin/"x"), but copied from a
    template built once per process: migrations and the admin's scrypt hash cost ~0.5 s each time."""
    global _template
    if _template is None:
        folder = Path(tempfile.mkdtemp(prefix="trust-template-"))
        atexit.register(shutil.rmtree, folder, True)
        make_db(folder / "template.sqlite3").close()
        _template = folder / "template.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    src, dst = sqlite3.connect(_template), sqlite3.connect(path)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    return CounterDB(path)


def make_data_dir(root: Path) -> tuple[DataDir, CounterDB]:
    """A configured data directory (``root``) with its database open."""
    data = DataDir(root).ensure()
    return data, fresh_db(data.database)


def receive_one(cdb: CounterDB, name: str = "Nguyễn Văn An", id_number: str = ID_NUMBER,
                now: datetime = T0) -> int:
    """Accept one birth-registration dossier; return its id."""
    data = ReceptionInput(
        procedure_code="1.001193",
        applicant=ApplicantInput(full_name=name, id_number=id_number, address="12 Hàng Bông, Hà Nội"),
        components=[ComponentInput("TK"), ComponentInput("GCS"), ComponentInput("CCCD", "shown")],
        officer_id=1,
    )
    return receive(cdb, data, WorkCalendar(), now=now).dossier_id


def small_page(seed: int = 0, big: bool = False) -> out.PageImage:
    """A small A7-sized page at 200 dpi: real JPEG/PDF work, fast enough for loops.

    ``big``: an A6 page of noise (a few hundred kB of JPEG) to fill a disk with files quickly.
    """
    from counter_app.scanning import output as out

    rng = np.random.default_rng(seed)
    if big:
        return out.PageImage(rng.integers(0, 255, (827, 583, 3), dtype=np.uint8), 200)
    img = np.full((413, 291, 3), 240, np.uint8)
    img[50:60, 20:270] = rng.integers(0, 80, (10, 250, 3), dtype=np.uint8)
    return out.PageImage(img, 200)


def scan_component(root: Path, cdb: CounterDB, dossier_id: int, code: str = "TK", seed: int = 0,
                   now: datetime = T0, big: bool = False) -> out.ComponentFile:
    """Digitise one component of a dossier with the real output pipeline (unsigned)."""
    from counter_app.scanning import output as out
    from counter_app.services.digitise import store_component

    comp = cdb.scalar("SELECT id FROM dossier_components WHERE dossier_id = ? AND component_code = ?",
                      (dossier_id, code))
    meta = out.ScanMeta(dossier_code="", component_code="", officer_name="Trần Thị Bình", scanned_at=now,
                        officer_id=1)
    return store_component(cdb, root, comp, [small_page(seed, big)], meta, None, 1, now=now)
