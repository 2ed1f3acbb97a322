"""The scan station's controller: its state and use cases, apart from its widgets (issue #17).

``ui/scan_station.py`` shows pages and buttons; everything it *decides* lives here, Qt-free:

* the queries it needs (:func:`load_dossier`, :func:`rescan_tasks_for`, :func:`signing_setup`,
  :func:`scan_file_row`) — the UI holds no SQL and imports no ``counter_app.db`` module;
* :class:`ScanStation`, the state machine: the dossier and its components, the scan session, the
  count of pages still being processed, the component table's rows, whether a save may start;
* :class:`SaveRun`, a save driven across the threads it belongs to: the short database stages on
  the database thread, the PDF building and signing on the processing pool
  (:mod:`counter_app.services.digitise`). It takes two plain "run this there" functions, so it
  runs the same under Qt (``DbWorker.submit`` / ``run_in_pool``) and in a test on one thread.

Glossary: hồ sơ = dossier, thành phần hồ sơ = component, phiên quét = scan session.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from counter_app.db import audit
from counter_app.db import reviews as dbreviews
from counter_app.db.database import CounterDB
from counter_app.scanning.output import ComponentFile, OutputOptions, StagedComponent
from counter_app.scanning.session import ScanSession
from counter_app.scanning.signing import OfficerSigner
from counter_app.services import digitise
from counter_app.services.session import Actor, require_actor

log = logging.getLogger(__name__)

__all__ = [
    "ComponentRow",
    "SaveRun",
    "ScanStation",
    "SigningSetup",
    "load_dossier",
    "recover_interrupted_saves",
    "rescan_tasks_for",
    "scan_file_row",
    "signing_setup",
]

SESSIONS_DIR = Path("tmp") / "scan-sessions"  # under the data directory: encrypted like the archive

Callback = Callable[[Any], None]
ErrorCallback = Callable[[BaseException], None]
#: ``submit(fn, on_done, on_error)`` — run ``fn(cdb)`` on the database thread.
DbSubmit = Callable[[Callable[[CounterDB], Any], Callback, ErrorCallback], Any]
#: ``run(fn, on_done, on_error)`` — run ``fn()`` on the processing pool.
PoolRun = Callable[[Callable[[], Any], Callback, ErrorCallback], Any]


# ------------------------------------------------------------------------------ queries
def load_dossier(cdb: CounterDB, code_or_id: str | int) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """A dossier (by code or id) and its components received on paper, each with ``n_files``
    (its scans, not counting one a supervisor rejected)."""
    column = "id" if isinstance(code_or_id, int) else "code"
    d = cdb.query_one(f"SELECT * FROM dossiers WHERE {column} = ?", (code_or_id,))
    if d is None:
        return None, []
    comps = cdb.query(
        """SELECT dc.*, (SELECT count(*) FROM files f WHERE f.dossier_component_id = dc.id
               AND f.kind = 'scan' AND dc.review_state <> 'rejected') AS n_files
           FROM dossier_components dc WHERE dossier_id = ? AND state = 'received' ORDER BY position""",
        (d["id"],))
    return d, comps


def recover_interrupted_saves(cdb: CounterDB, data_root: Path) -> int:
    """Finish what a crash inside an earlier save left (see :mod:`counter_app.services.digitise`)."""
    return digitise.recover_interrupted_saves(cdb, data_root)


def rescan_tasks_for(cdb: CounterDB, actor: Actor | None) -> list[dict[str, Any]]:
    """Components a supervisor rejected that the signed-in officer must scan again (none signed in: all)."""
    return dbreviews.rescan_tasks(cdb, actor.user_id if actor is not None else None)


@dataclass(frozen=True)
class SigningSetup:
    """How the signed-in officer signs: their certificate (a PKCS#12 path or a token reference) and
    the USB token module and timestamp authority (issue #18), read once so signing never queries."""

    officer_id: int
    cert: str | None
    pkcs11_module: str | None
    tsa_url: str | None


def signing_setup(cdb: CounterDB, actor: Actor | Any) -> SigningSetup:
    """The signed-in officer's signing setup; :class:`ValidationError` when nobody is signed in."""
    who = require_actor(actor)
    cert = cdb.scalar("SELECT signing_cert_path FROM users WHERE id = ?", (who.user_id,))
    return SigningSetup(who.user_id, cert or None, cdb.get_setting("pkcs11_module"), cdb.get_setting("tsa_url"))


def scan_file_row(cdb: CounterDB, *, file_id: int | None = None, component_id: int | None = None,
                  user_id: int | None = None) -> dict[str, Any] | None:
    """The file row (one file, or the newest scan of a component) with its component's name and
    dossier code; the look is recorded in the audit trail (a scan shows a citizen's papers:
    Nghị định 13/2023)."""
    sql = ("SELECT f.*, dc.name AS component_name, d.code AS dossier_code FROM files f "
           "LEFT JOIN dossier_components dc ON dc.id = f.dossier_component_id "
           "LEFT JOIN dossiers d ON d.id = f.dossier_id WHERE ")
    if file_id is not None:
        row = cdb.query_one(sql + "f.id = ?", (int(file_id),))
    else:
        row = cdb.query_one(sql + "f.dossier_component_id = ? AND f.kind = 'scan' ORDER BY f.id DESC LIMIT 1",
                            (int(component_id or 0),))
    if row is not None and row["dossier_id"]:
        audit.append(cdb, user_id, "view_citizen", "file", int(row["id"]), {"via": "scan_viewer"})
    return row


# ------------------------------------------------------------------------------ state
@dataclass(frozen=True)
class ComponentRow:
    """One line of the component table as the officer reads it."""

    name: str
    pages: int
    declared: int          # from the database (0 = not declared yet)
    state: str             # Vietnamese


class ScanStation:
    """The station's state: which dossier, which session, how many pages are still being processed."""

    def __init__(self, data_root: Path) -> None:
        self.data_root = Path(data_root)
        self.session: ScanSession | None = None
        self.dossier: dict[str, Any] | None = None
        self.components: list[dict[str, Any]] = []
        self.pending = 0
        self.actor: Actor | None = None

    # ---------------------------------------------------------------- dossier and session
    def adopt_dossier(self, dossier: dict[str, Any], components: list[dict[str, Any]]) -> bool:
        """The dossier was loaded; True if a new (empty) session was started for it.

        Pages scanned before the dossier was known (identified by its receipt) stay in the session.
        """
        self.dossier, self.components = dossier, components
        if self.session is not None and self.session.dossier_id is None:
            self.session.dossier_id = dossier["id"]
            self.session.save_manifest()
            return False
        if self.session is None or self.session.dossier_id != dossier["id"]:
            self.new_session()
            return True
        return False

    def new_session(self) -> ScanSession:
        """An empty session folder for the current dossier (or none yet)."""
        folder = self.data_root / SESSIONS_DIR / uuid.uuid4().hex
        self.session = ScanSession(folder, self.dossier["id"] if self.dossier else None)
        self.pending = 0
        return self.session

    def ensure_session(self) -> ScanSession:
        """The current session, started if there is none."""
        return self.session if self.session is not None else self.new_session()

    def finish_saved(self) -> None:
        """The save finished: the session's pages are in signed PDFs; its folder goes."""
        if self.session is not None:
            self.session.discard()
        self.session = None
        self.pending = 0

    # ---------------------------------------------------------------- pages
    def page_queued(self) -> None:
        """A page went to the pipeline."""
        self.pending += 1

    def page_finished(self) -> None:
        """A page came back from the pipeline (processed or failed)."""
        self.pending = max(0, self.pending - 1)

    def summary(self) -> str:
        """The status line once every page is processed."""
        pages = self.session.pages if self.session else []
        blank = sum(p.blank for p in pages)
        warn = sum(bool(p.warnings) for p in pages)
        return (f"{len(pages)} trang · {blank} trang trắng (sẽ bỏ) · {warn} trang cần xem lại. "
                "Gán trang cho thành phần rồi nhấn Ctrl+S.")

    def component_label(self, component_id: int | None) -> str:
        """The code shown under a page's thumbnail."""
        return next((c["component_code"] for c in self.components if c["id"] == component_id), "chưa gán")

    def component_rows(self, declared: Sequence[int] | None = None) -> list[ComponentRow]:
        """The component table: name, pages assigned, declared paper count, state in Vietnamese.

        ``declared``: the counts the officer typed, row by row (0 = none), when the table exists.
        """
        rows = []
        for r, c in enumerate(self.components):
            n = len(self.session.component_pages(c["id"])) if self.session else 0
            typed = declared[r] if declared is not None and r < len(declared) else (c.get("page_count_declared") or 0)
            if c.get("review_state") == "rejected":
                state = "Không đạt — quét lại"
            else:
                state = "Đã số hóa" if c.get("n_files") else "Chưa số hóa"
            if typed and n and typed != n:
                state = f"Lệch số trang ({n} ảnh / {typed} tờ)"
            rows.append(ComponentRow(c["name"], n, int(c.get("page_count_declared") or 0), state))
        return rows

    def assign(self, uids: Sequence[str], row: int) -> bool:
        """Put pages into the component of table row ``row``; False if there is nothing to do."""
        if self.session is None or not 0 <= row < len(self.components):
            return False
        self.session.assign(list(uids), self.components[row]["id"])
        return True

    def split_by_separators(self) -> int | None:
        """Runs of pages between blank separator sheets go to the components not digitised yet, in order."""
        if self.session is None:
            return None
        todo = [c["id"] for c in self.components if not c.get("n_files")] or [c["id"] for c in self.components]
        return self.session.split_at_blank_separators(todo)

    def saved_scan_component(self, row: int) -> int | None:
        """The component of table row ``row`` if it has a saved scan to look at."""
        if 0 <= row < len(self.components) and self.components[row].get("n_files"):
            return int(self.components[row]["id"])
        return None

    def why_not_save(self) -> str | None:
        """Why a save cannot start now (Vietnamese), or None."""
        if self.pending:
            return "Chờ xử lý xong các trang rồi lưu."
        if self.session is None or self.dossier is None:
            return "Chưa có trang để lưu."
        return None

    def declared_by_component(self, typed: Sequence[int]) -> dict[int, int]:
        """The officer's paper counts (row by row, 0 = none) keyed by component id."""
        return {c["id"]: n for c, n in zip(self.components, typed, strict=False) if n}


# ------------------------------------------------------------------------------ saving
class SaveRun:
    """One save of the station's session: prepare (database thread) → for each component, build and
    sign (processing pool) → register (database thread) → ``on_done(files)``.

    The database thread is held only for the short stages: a list query submitted meanwhile
    waits milliseconds, not the seconds of JPEG encoding and signing (issue #17). An error stops
    the run and goes to ``on_error``; components registered before it stay stored (saving again
    stores only the rest: :mod:`counter_app.services.digitise`).
    """

    def __init__(self, submit_db: DbSubmit, run_pool: PoolRun, *, data_root: Path, session: ScanSession,
                 dossier_id: int, declared: dict[int, int], actor: Actor | None,
                 signer: OfficerSigner | None, options: OutputOptions | None = None,
                 on_done: Callable[[list[ComponentFile]], None], on_error: ErrorCallback,
                 on_progress: Callable[[int, int], None] | None = None) -> None:
        self._submit_db, self._run_pool = submit_db, run_pool
        self._args = (Path(data_root), session, int(dossier_id), dict(declared), actor)
        self._signer, self._options = signer, options
        self._on_done, self._on_error, self._on_progress = on_done, on_error, on_progress
        self._plan: digitise.SavePlan | None = None
        self._files: list[ComponentFile] = []
        self._index = 0
        self._last: tuple[Path, int, StagedComponent, ComponentFile] | None = None

    def start(self) -> None:
        """Begin with the database stage that checks who saves and what."""
        root, session, dossier_id, declared, actor = self._args
        self._submit_db(lambda cdb: digitise.prepare_save(cdb, root, session, dossier_id, declared, actor),
                        self._prepared, self._on_error)

    def _prepared(self, plan: digitise.SavePlan) -> None:
        self._plan = plan
        self._files = list(plan.done)
        self._next()

    def _next(self) -> None:
        plan = self._plan
        assert plan is not None
        if self._on_progress is not None:
            self._on_progress(self._index, len(plan.todo))
        last, self._last = self._last, None
        if self._index >= len(plan.todo):
            if last is None:
                self._on_done(self._files)
            else:
                self._run_pool(lambda: digitise.record_stored(*last), lambda _r: self._on_done(self._files),
                               self._on_error)
            return
        item, signer, options = plan.todo[self._index], self._signer, self._options

        def stage() -> StagedComponent:  # pool thread: the previous component's record, then this one
            if last is not None:
                digitise.record_stored(*last)
            return digitise.stage_component(plan, item, signer, options)

        self._run_pool(stage, self._staged, self._on_error)

    def _staged(self, staged: StagedComponent) -> None:
        plan = self._plan
        assert plan is not None
        item = plan.todo[self._index]
        self._submit_db(lambda cdb: digitise.commit_plan_item(cdb, plan, item, staged, record=False),
                        lambda stored: self._committed(plan, item, staged, stored), self._on_error)

    def _committed(self, plan: digitise.SavePlan, item: digitise.PlannedComponent, staged: StagedComponent,
                   stored: ComponentFile) -> None:
        # saved.json is written on the pool with the next stage: its two fsyncs stay off the database thread.
        self._last = (plan.session.folder, item.component_id, staged, stored)
        self._files.append(stored)
        self._index += 1
        self._next()
