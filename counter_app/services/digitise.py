"""Digitise-and-save: a scan session becomes one signed PDF per component, stored and registered.

Saving runs in two stages so that the one database thread is never held for seconds (issue #17;
``ui/tasks.py``: all queries queue on that thread):

1. :func:`prepare_save` — database thread, milliseconds: who saves (the signed-in :class:`Actor`,
   no fallback), which components have pages, what an earlier interrupted save already stored.
2. :func:`stage_component` — processing pool, seconds, **pure** (no ``CounterDB``): build and sign
   the component's PDF and write it atomically to the session's ``staged/`` folder with a
   checksummed sidecar (:func:`counter_app.scanning.output.write_component_pdf`).
3. :func:`commit_component` — database thread, milliseconds: in one transaction the ``files`` row,
   the component's state, the dossier event, the audit entry and the outbox entry; the staged file
   is renamed into ``scans/`` inside that transaction (before its COMMIT).

Stages 2 and 3 alternate per component (stage, commit, stage, commit…), so a save that stops part
way (a USB token pulled while component *k* is being signed) keeps components before *k* stored.

Crash safety — what each crash leaves, and what the next save of the same session does:

* between the stages: a complete staged file + sidecar in the session folder, nothing under
  ``scans/``, nothing in the database; the officer was not told it was saved. The next save finds
  the staged file (same pages, checksum intact) and registers it without building or signing again.
* inside stage 3, after the rename, before COMMIT: a file under ``scans/`` no row points to.
  :func:`recover_staged` (run by every :func:`prepare_save`) moves it back to the staging folder.
* after COMMIT, before ``saved.json`` is written: the sidecar is still there and a row points to
  its path; :func:`recover_staged` records it in ``saved.json``, so it is never stored twice.

Idempotent per component through ``saved.json`` in the session folder: saving the same session
again skips components already stored; a component whose pages or declared count changed since it
was stored is stored again (the officer re-scanned or corrected it).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from counter_app.atomicio import atomic_write_bytes, sha256_file
from counter_app.atomicio import fsync_dir as _fsync_dir  # a name of its own here: crash tests replace it
from counter_app.db import files as dbfiles
from counter_app.db.database import CounterDB
from counter_app.errors import ValidationError
from counter_app.scanning.output import (
    SIDECAR_SUFFIX,
    ComponentFile,
    OutputOptions,
    PageImage,
    ScanMeta,
    StagedComponent,
    read_staged,
    staged_file_intact,
    write_component_pdf,
)
from counter_app.scanning.session import ScanSession
from counter_app.scanning.signing import OfficerSigner
from counter_app.services.session import Actor, require_actor

log = logging.getLogger(__name__)

__all__ = [
    "SAVED_RECORD",
    "STAGING_DIR",
    "PlannedComponent",
    "SavePlan",
    "commit_component",
    "commit_plan_item",
    "prepare_save",
    "record_stored",
    "recover_interrupted_saves",
    "recover_staged",
    "save_session",
    "stage_component",
    "store_component",
]

SAVED_RECORD = "saved.json"  # in the scan session's folder: components already stored from it
STAGING_DIR = "staged"       # in the scan session's folder: stage 1's finished PDFs awaiting stage 3
_TOOL_STAGING = Path("tmp") / "staged-scans"  # :func:`store_component` without a session


@dataclass(frozen=True)
class PlannedComponent:
    """One component to store: its id, the pages and the stamp it gets, and its idempotence key."""

    component_id: int
    key: str
    meta: ScanMeta
    declared: int | None
    pages: tuple[tuple[str, int], ...]  # (page uid, dpi) in batch order


@dataclass(frozen=True)
class SavePlan:
    """What :func:`prepare_save` found; handed to the pool stage and back to the commit stage."""

    data_root: Path
    session: ScanSession
    dossier_id: int
    officer_id: int
    todo: tuple[PlannedComponent, ...]
    done: tuple[ComponentFile, ...]   # stored by an earlier, interrupted save of this session
    now: datetime

    @property
    def staging(self) -> Path:
        """Where stage 1 writes (inside the session folder: discarded with it after the save)."""
        return self.session.folder / STAGING_DIR


# ------------------------------------------------------------------------------ stage: prepare
def prepare_save(cdb: CounterDB, data_root: Path, session: ScanSession, dossier_id: int,
                 declared: dict[int, int], actor: Actor | Any, now: datetime | None = None) -> SavePlan:
    """Database thread, short: check the session can be saved and by whom; list what to store.

    Pages never assigned are refused, not dropped. Raises :class:`ValidationError` when nobody is
    signed in (no "first officer" fallback: a scan recorded under the wrong officer is a false
    record) or the account is gone or locked.
    """
    who = require_actor(actor)
    now = now or datetime.now().replace(microsecond=0)
    loose = [p for p in session.pages if p.component_id is None and not p.blank]
    if loose:
        raise ValidationError(
            f"Còn {len(loose)} trang chưa gán cho thành phần nào.",
            hint="Chọn trang, chọn thành phần rồi nhấn Ctrl+G (hoặc xóa trang thừa).")
    officer = cdb.query_one("SELECT id, full_name, active FROM users WHERE id = ?", (who.user_id,))
    if officer is None or not officer["active"]:
        raise ValidationError("Tài khoản cán bộ đang đăng nhập không còn hoạt động.",
                              hint="Đăng xuất rồi đăng nhập lại bằng tài khoản của mình.")
    cdb.require_ring()  # a database that was encrypted but lost its keys.json: refuse, never write plain
    recover_staged(cdb, Path(data_root), session.folder)
    agency = cdb.get_setting("agency_name") or ""
    saved = _saved_components(cdb, session.folder)
    todo: list[PlannedComponent] = []
    done: list[ComponentFile] = []
    for comp in cdb.query("SELECT id FROM dossier_components WHERE dossier_id = ? ORDER BY position, id",
                          (dossier_id,)):
        cid = int(comp["id"])
        pages = session.component_pages(cid)
        if not pages:
            continue
        key = _component_key(pages, declared.get(cid))
        stored = saved.get(str(cid))
        if stored is not None and stored["key"] == key:
            done.append(_component_file(stored["file"]))  # stored by an earlier, interrupted save
            continue
        ctx = dbfiles.component_context(cdb, cid)
        meta = ScanMeta(
            dossier_code=ctx.dossier_code, component_code=ctx.component_code, officer_name=officer["full_name"],
            scanned_at=now, agency_name=agency, component_name=ctx.component_name,
            procedure_code=ctx.procedure_code, officer_id=int(officer["id"]), declared_pages=declared.get(cid))
        todo.append(PlannedComponent(cid, key, meta, declared.get(cid), tuple((p.uid, int(p.dpi)) for p in pages)))
    if not todo and not done:
        raise ValidationError("Chưa có trang nào được gán cho thành phần hồ sơ.")
    return SavePlan(Path(data_root), session, int(dossier_id), int(officer["id"]), tuple(todo), tuple(done), now)


# ------------------------------------------------------------------------------ stage: build + sign
def stage_component(plan: SavePlan, item: PlannedComponent, signer: OfficerSigner | None,
                    options: OutputOptions | None = None) -> StagedComponent:
    """Processing pool, seconds, no database: the component's finished PDF in the staging folder.

    A file staged by an earlier save of the same pages (crash or error before it was registered)
    whose checksum still holds is reused: nothing is built or signed twice.
    """
    for staged in read_staged(plan.staging):
        if staged.meta.get("component_code") != item.meta.component_code:
            continue
        # Same pages, same officer (their name is stamped on it), signed as this save would sign it.
        if (staged.key == item.key and staged.meta.get("officer_id") == item.meta.officer_id
                and staged.signed == (signer is not None) and staged_file_intact(staged)):
            log.info("reusing staged %s of %s", item.meta.component_code, item.meta.dossier_code)
            return staged
        _drop_staged(staged)  # made from other pages (or damaged): never registered, not needed
    images = [PageImage(plan.session.images(uid), float(dpi)) for uid, dpi in item.pages]
    return write_component_pdf(plan.data_root, plan.staging, images, item.meta, signer, item.declared,
                               options or OutputOptions(), key=item.key)


# ------------------------------------------------------------------------------ stage: register
def commit_component(cdb: CounterDB, data_root: Path, staged: StagedComponent, component_id: int, *,
                     officer_id: int | None, now: datetime, record_in: Path | None = None) -> ComponentFile:
    """Database thread, milliseconds: move the staged file into ``scans/`` and register it atomically.

    One transaction holds the ``files`` row, the component state, the dossier event, the audit
    entry and the outbox entry; the rename into ``scans/`` happens inside it, so a failed rename
    rolls the rows back and a failed COMMIT moves the file back to the staging folder.
    ``record_in``: the scan session's folder, whose ``saved.json`` then lists the component.
    """
    final = Path(data_root) / staged.rel_path
    ctx = dbfiles.component_context(cdb, component_id)
    for attr, value in (("dossier_code", ctx.dossier_code), ("component_code", ctx.component_code)):
        if staged.meta.get(attr) != value:
            raise ValueError(f"staged {attr}={staged.meta.get(attr)!r} but component {component_id} has {value!r}")
    if cdb.scalar("SELECT 1 FROM files WHERE path = ?", (staged.rel_path,)):
        _drop_staged(staged)  # another save took the name in the same second: stage again under a new one
        raise ValidationError("Tên tệp bản số hóa vừa bị một lần lưu khác dùng.", hint="Nhấn «Lưu» lại.")
    if not staged.staged_path.exists() and not final.exists():
        raise ValidationError("Tệp bản số hóa đã tạo không còn trong thư mục tạm.", hint="Nhấn «Lưu» lại.")
    moved = False
    try:
        with cdb.write():
            reg = dbfiles.register_scan(
                cdb, dossier_component_id=component_id, rel_path=staged.rel_path, name=final.name,
                sha256=staged.sha256, size=staged.size, page_count=staged.page_count,
                declared_pages=staged.declared_pages, signed=staged.signed, meta=staged.meta,
                officer_id=officer_id, now=now)
            moved = _move_into_place(staged, final)
    except BaseException:
        if moved:  # the rows were rolled back: the file goes back where stage 1 left it
            with contextlib.suppress(OSError):
                os.replace(final, staged.staged_path)
        raise
    stored = ComponentFile(
        file_id=reg.file_id, uid=reg.uid, path=final, rel_path=staged.rel_path, sha256=staged.sha256,
        size=staged.size, page_count=staged.page_count, declared_pages=staged.declared_pages,
        page_mismatch=staged.page_mismatch, signed=staged.signed, warnings=staged.warnings,
        timings_ms=staged.timings_ms, plain_sha256=staged.plain_sha256, encrypted=staged.encrypted)
    if record_in is not None:
        record_stored(record_in, component_id, staged, stored)
    log.info("stored component %s of %s as %s", ctx.component_code, ctx.dossier_code, staged.rel_path)
    return stored


def commit_plan_item(cdb: CounterDB, plan: SavePlan, item: PlannedComponent, staged: StagedComponent, *,
                     record: bool = True) -> ComponentFile:
    """:func:`commit_component` for one item of a session's :class:`SavePlan`.

    ``record=False``: the caller writes ``saved.json`` itself with :func:`record_stored` off the
    database thread (two fsyncs the queries behind it need not wait for; until it is written, the
    sidecar lets :func:`recover_staged` record it).
    """
    return commit_component(cdb, plan.data_root, staged, item.component_id, officer_id=plan.officer_id,
                            now=plan.now, record_in=plan.session.folder if record else None)


def record_stored(session_folder: Path, component_id: int, staged: StagedComponent, stored: ComponentFile) -> None:
    """After the commit: list the component in the session's ``saved.json`` (never stored twice),
    then drop its staging sidecar. File work only — any thread."""
    _record_saved(session_folder, component_id, staged.key, stored)
    with contextlib.suppress(OSError):
        staged.staged_path.with_suffix(SIDECAR_SUFFIX).unlink()


def _move_into_place(staged: StagedComponent, final: Path) -> bool:
    """Rename the staged file to its final name; True if this call moved it.

    Only the database thread moves files into ``scans/``, so checking then renaming cannot race.
    A final file with the staged checksum is this very file from a commit that did not finish.
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    if final.exists():
        if sha256_file(final) != staged.sha256:
            raise ValidationError("Tên tệp bản số hóa đã có một tệp khác.", hint="Nhấn «Lưu» lại.")
        with contextlib.suppress(OSError):
            staged.staged_path.unlink()
        return False
    os.replace(staged.staged_path, final)  # same file system (both in the data directory): atomic
    _fsync_dir(final.parent)
    return True


def recover_staged(cdb: CounterDB, data_root: Path, session_folder: Path) -> int:
    """Finish what a crash inside a commit left (see the module docstring); returns files touched.

    A staged record whose file is registered is recorded in ``saved.json`` (never stored twice); a
    file moved into ``scans/`` whose transaction never committed is moved back to staging.
    """
    touched = 0
    for staged in read_staged(session_folder / STAGING_DIR):
        final = Path(data_root) / staged.rel_path
        row = cdb.query_one("SELECT id, uid, dossier_component_id FROM files WHERE path = ? AND sha256 = ?",
                            (staged.rel_path, staged.sha256))
        if row is not None:
            stored = ComponentFile(
                file_id=int(row["id"]), uid=row["uid"], path=final, rel_path=staged.rel_path,
                sha256=staged.sha256, size=staged.size, page_count=staged.page_count,
                declared_pages=staged.declared_pages, page_mismatch=staged.page_mismatch, signed=staged.signed,
                warnings=staged.warnings, plain_sha256=staged.plain_sha256, encrypted=staged.encrypted)
            _record_saved(session_folder, int(row["dossier_component_id"]), staged.key, stored)
            with contextlib.suppress(OSError):
                staged.staged_path.with_suffix(SIDECAR_SUFFIX).unlink()
            touched += 1
        elif final.exists() and not staged.staged_path.exists() and sha256_file(final) == staged.sha256:
            os.replace(final, staged.staged_path)  # the rows never committed: no orphan under scans/
            touched += 1
    return touched


def recover_interrupted_saves(cdb: CounterDB, data_root: Path) -> int:
    """:func:`recover_staged` for every scan session of the data directory (the station runs it when
    it opens): a session nobody saves again does not leave a file under ``scans/`` without its row."""
    sessions = Path(data_root) / "tmp" / "scan-sessions"
    return sum(recover_staged(cdb, Path(data_root), folder)
               for folder in sorted(sessions.glob("*")) if (folder / STAGING_DIR).is_dir())


def _drop_staged(staged: StagedComponent) -> None:
    for path in (staged.staged_path.with_suffix(SIDECAR_SUFFIX), staged.staged_path):
        with contextlib.suppress(OSError):
            path.unlink()


# ------------------------------------------------------------------------------ all stages at once
def save_session(
    cdb: CounterDB,
    data_root: Path,
    session: ScanSession,
    dossier: dict[str, Any],
    declared: dict[int, int],
    signer: OfficerSigner | None = None,
    now: datetime | None = None,
    *,
    actor: Actor | Any,
) -> list[ComponentFile]:
    """All stages on the calling thread (CLI, tools, tests); the scan station runs them on the
    threads they belong to (:class:`counter_app.services.scan_station.SaveRun`)."""
    plan = prepare_save(cdb, data_root, session, int(dossier["id"]), declared, actor, now)
    out = list(plan.done)
    for item in plan.todo:
        out.append(commit_plan_item(cdb, plan, item, stage_component(plan, item, signer)))
    return out


def store_component(
    cdb: CounterDB,
    data_root: str | Path,
    component_id: int,
    pages: Sequence[PageImage],
    meta: ScanMeta,
    signer: OfficerSigner | None,
    declared_pages: int | None,
    options: OutputOptions | None = None,
    *,
    now: datetime | None = None,
) -> ComponentFile:
    """One component from ready page images, both stages on the calling thread (tools, tests, benches).

    Codes and names come from the database row of ``component_id``; ``meta`` supplies the officer
    and the time, and codes it gives must match.
    """
    root = Path(data_root).resolve()
    ctx = dbfiles.component_context(cdb, component_id)
    for attr, value in (("dossier_code", ctx.dossier_code), ("component_code", ctx.component_code)):
        given = getattr(meta, attr)
        if given and given != value:
            raise ValueError(f"meta.{attr}={given!r} but dossier component {component_id} has {value!r}")
    cdb.require_ring()
    meta = replace(meta, dossier_code=ctx.dossier_code, component_code=ctx.component_code,
                   component_name=meta.component_name or ctx.component_name,
                   procedure_code=meta.procedure_code or ctx.procedure_code)
    staged = write_component_pdf(root, root / _TOOL_STAGING, pages, meta, signer, declared_pages, options)
    try:
        return commit_component(cdb, root, staged, component_id, officer_id=meta.officer_id,
                                now=now or datetime.now().replace(microsecond=0))
    except BaseException:
        _drop_staged(staged)
        raise


# ------------------------------------------------------------------------------ saved.json
def _component_key(pages: list[Any], declared: int | None) -> str:
    """What a stored component was made from: its pages (ids, order, rotation, crop…) and the count
    the officer declared. A change in any of them means the stored file no longer matches."""
    return json.dumps({"pages": [p.to_json() for p in pages], "declared": declared}, sort_keys=True)


def _record_saved(folder: Path, component_id: int, key: str, stored: ComponentFile) -> None:
    saved = _read_saved(folder)
    saved[str(component_id)] = {"key": key, "file": {**asdict(stored), "path": str(stored.path)}}
    atomic_write_bytes(folder / SAVED_RECORD, json.dumps(saved, ensure_ascii=False).encode())


def _read_saved(folder: Path) -> dict[str, Any]:
    try:
        saved = json.loads((folder / SAVED_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # no earlier save (or an unreadable record: storing again is the safe side)
    return saved if isinstance(saved, dict) else {}


def _saved_components(cdb: CounterDB, folder: Path) -> dict[str, Any]:
    """Components stored by earlier saves of this session whose file row still exists."""
    return {cid: v for cid, v in _read_saved(folder).items()
            if isinstance(v, dict) and isinstance(v.get("file"), dict)
            and cdb.scalar("SELECT 1 FROM files WHERE id = ?", (v["file"].get("file_id"),))}


def _component_file(raw: dict[str, Any]) -> ComponentFile:
    """A :class:`ComponentFile` back from the session's record."""
    return ComponentFile(**{**raw, "path": Path(raw["path"]), "warnings": tuple(raw.get("warnings") or ())})
