"""Files of dossiers (digitised components first): registration, look-ups, archive checks.

A digitised component is registered in ONE transaction (:meth:`CounterDB.write`): the ``files``
row, the component's declared page count, the dossier's ``digitised`` event and the outbox
entry of kind ``file``. The caller writes and fsyncs the file *before* calling
:func:`register_scan`, so a row never points to a missing file; a crash in between leaves an
orphan file that :func:`orphan_scans` lists for cleaning.

:func:`verify_archive` recomputes the SHA-256 of every registered file (used by the data-trust
issue): a file that is missing or whose bytes changed since registration is reported.

Encryption at rest (docs/security.md): ``files.sha256``/``size`` always describe the bytes *on
disk* (an AES-GCM envelope in an encrypted data directory), so :func:`verify_archive` and backups
need no key; ``meta.plain_sha256``/``plain_size`` describe the document itself.
:func:`encrypt_existing_files` converts an archive that was plain when encryption was switched on.

Glossary: hồ sơ = dossier, thành phần hồ sơ = dossier component, mã hồ sơ = dossier code.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from counter_app import crypto, vault
from counter_app.atomicio import sha256_bytes, sha256_file
from counter_app.db import audit
from counter_app.db.database import CounterDB
from counter_app.db.dossiers import add_event, enqueue, ts
from counter_app.errors import ValidationError

log = logging.getLogger(__name__)

__all__ = [
    "ArchiveProblem",
    "ComponentContext",
    "RegisteredFile",
    "archive_report",
    "component_context",
    "encrypt_existing_files",
    "file_by_uid",
    "files_for_dossier",
    "latest_scan_for_component",
    "orphan_scans",
    "register_scan",
    "verify_archive",
]


@dataclass(frozen=True)
class ComponentContext:
    """What the scan output needs to know about a dossier component."""

    dossier_component_id: int
    dossier_id: int
    dossier_code: str
    procedure_code: str
    component_code: str
    component_name: str
    state: str


@dataclass(frozen=True)
class RegisteredFile:
    """The ids :func:`register_scan` created."""

    file_id: int
    uid: str
    dossier_id: int
    outbox_event_id: str


@dataclass(frozen=True)
class ArchiveProblem:
    """One registered file that does not match its record."""

    file_id: int
    dossier_id: int | None
    path: str              # as stored (relative to the data directory)
    problem: str           # "missing" | "changed" | "unreadable" | "outside" | "plain" | "undecryptable" | "swapped"
    expected_sha256: str
    actual_sha256: str | None = None
    detail: str = ""

    def message(self) -> str:
        """Vietnamese one-liner for the trust report."""
        return {
            "missing": f"Thiếu tệp {self.path} (tệp #{self.file_id}).",
            "changed": f"Tệp {self.path} (tệp #{self.file_id}) đã bị thay đổi sau khi lưu (mã SHA-256 khác).",
            "unreadable": f"Không đọc được tệp {self.path} (tệp #{self.file_id}): {self.detail}",
            "outside": f"Đường dẫn tệp #{self.file_id} nằm ngoài thư mục dữ liệu: {self.path}",
            "plain": f"Tệp {self.path} (tệp #{self.file_id}) không được mã hóa dù thư mục dữ liệu đã mã hóa: "
                     "có thể đã bị thay bằng một tệp khác.",
            "undecryptable": f"Tệp {self.path} (tệp #{self.file_id}) không giải mã được với vị trí của nó: "
                             "đã bị tráo với tệp khác, chuyển chỗ hoặc sửa.",
            "swapped": f"Tệp {self.path} (tệp #{self.file_id}) giải mã được nhưng không phải tài liệu đã lưu "
                       "(mã SHA-256 của nội dung khác): có thể đã bị tráo giữa các hồ sơ.",
        }[self.problem]


def _decode(row: dict[str, Any]) -> dict[str, Any]:
    row["meta"] = json.loads(row.get("meta") or "{}")
    return row


def component_context(cdb: CounterDB, dossier_component_id: int) -> ComponentContext:
    """The dossier and component codes of ``dossier_component_id``.

    Raises :class:`ValidationError` if the component does not exist or its dossier has no code
    (not accepted: incomplete and refused dossiers are handed back, not digitised).
    """
    row = cdb.query_one(
        """SELECT dc.id, dc.dossier_id, dc.component_code, dc.name, dc.state,
                  d.code AS dossier_code, d.procedure_code
           FROM dossier_components dc JOIN dossiers d ON d.id = dc.dossier_id WHERE dc.id = ?""",
        (dossier_component_id,),
    )
    if row is None:
        raise ValidationError(f"Không tìm thấy thành phần hồ sơ #{dossier_component_id}.",
                              hint="Mở lại hồ sơ rồi chọn thành phần cần số hóa.")
    if not row["dossier_code"]:
        raise ValidationError(
            "Hồ sơ chưa được tiếp nhận (chưa có mã hồ sơ) nên chưa số hóa được.",
            hint="Tiếp nhận hồ sơ trước, rồi quét các thành phần.",
        )
    return ComponentContext(
        dossier_component_id=int(row["id"]), dossier_id=int(row["dossier_id"]),
        dossier_code=row["dossier_code"], procedure_code=row["procedure_code"],
        component_code=row["component_code"], component_name=row["name"], state=row["state"],
    )


def register_scan(
    cdb: CounterDB,
    *,
    dossier_component_id: int,
    rel_path: str,
    name: str,
    sha256: str,
    size: int,
    page_count: int,
    declared_pages: int | None,
    signed: bool,
    meta: dict[str, Any],
    officer_id: int | None,
    now: datetime,
) -> RegisteredFile:
    """Record a digitised component that is already durably on disk, in one transaction.

    Inserts the ``files`` row (kind ``scan``), sets ``dossier_components.page_count_declared``,
    appends a ``digitised`` event (pages, declared, mismatch) and an outbox entry ``file``.
    """
    uid = str(uuid.uuid4())
    mismatch = declared_pages is not None and declared_pages != page_count
    with cdb.write():
        ctx = component_context(cdb, dossier_component_id)  # inside: the dossier cannot vanish meanwhile
        cur = cdb.conn.execute(
            """INSERT INTO files(uid, dossier_id, dossier_component_id, kind, path, name, mime, size, sha256,
                   page_count, signed, created_by, created_at, meta)
               VALUES (?, ?, ?, 'scan', ?, ?, 'application/pdf', ?, ?, ?, ?, ?, ?, ?)""",
            (uid, ctx.dossier_id, dossier_component_id, rel_path, name, int(size), sha256, int(page_count),
             int(bool(signed)), officer_id, ts(now),
             json.dumps(meta, ensure_ascii=False)),
        )
        file_id = int(cur.lastrowid or 0)
        # A rescan of a component the supervisor rejected goes back to the review queue.
        cdb.conn.execute(
            "UPDATE dossier_components SET review_state = 'pending' WHERE id = ? AND review_state = 'rejected'",
            (dossier_component_id,),
        )
        if declared_pages is not None:
            cdb.conn.execute(
                "UPDATE dossier_components SET page_count_declared = ? WHERE id = ?",
                (int(declared_pages), dossier_component_id),
            )
        add_event(
            cdb, ctx.dossier_id, "digitised", now, officer_id=officer_id,
            detail={"file_uid": uid, "component_code": ctx.component_code, "pages": page_count,
                    "declared": declared_pages, "mismatch": mismatch, "signed": bool(signed)},
        )
        audit.append(cdb, officer_id, "scan", "file", file_id,
                     {"dossier": ctx.dossier_code, "component": ctx.component_code, "pages": page_count}, now=now)
        event_id = enqueue(
            cdb, ctx.dossier_id, "file",
            {"file_uid": uid, "dossier_code": ctx.dossier_code, "component_code": ctx.component_code,
             "sha256": sha256, "size": int(size), "name": name, "path": rel_path,
             "page_count": page_count, "signed": bool(signed)},
            now,
        )
    return RegisteredFile(file_id=file_id, uid=uid, dossier_id=ctx.dossier_id, outbox_event_id=event_id)


def files_for_dossier(cdb: CounterDB, dossier_id: int, kind: str | None = None) -> list[dict[str, Any]]:
    """Files of a dossier, oldest first, with ``meta`` decoded and the component code joined in."""
    sql = """SELECT f.*, dc.component_code FROM files f
             LEFT JOIN dossier_components dc ON dc.id = f.dossier_component_id
             WHERE f.dossier_id = ?"""
    params: list[Any] = [dossier_id]
    if kind:
        sql += " AND f.kind = ?"
        params.append(kind)
    return [_decode(r) for r in cdb.query(sql + " ORDER BY f.id", params)]


def latest_scan_for_component(cdb: CounterDB, dossier_component_id: int) -> dict[str, Any] | None:
    """The newest scan of a component (a rescan supersedes earlier ones), or None."""
    row = cdb.query_one(
        "SELECT * FROM files WHERE dossier_component_id = ? AND kind = 'scan' ORDER BY id DESC LIMIT 1",
        (dossier_component_id,),
    )
    return _decode(row) if row else None


def file_by_uid(cdb: CounterDB, uid: str) -> dict[str, Any] | None:
    """A file row by its uid (what the outbox payload carries)."""
    row = cdb.query_one("SELECT * FROM files WHERE uid = ?", (uid,))
    return _decode(row) if row else None


def _resolve(root: Path, rel: str) -> Path | None:
    """``root / rel`` if it stays inside ``root`` (a tampered row must not make us read elsewhere)."""
    path = (root / rel).resolve()
    return path if path.is_relative_to(root.resolve()) else None


def verify_archive(
    cdb: CounterDB,
    data_root: str | Path,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> list[ArchiveProblem]:
    """Recompute the SHA-256 of every registered file; report missing, changed or unreadable ones.

    In an encrypted data directory (issue #15 item 5) each file must also be an envelope (a plain
    file in its place is reported, unless switching encryption on is still under way), and with
    the keys open every envelope is decrypted with its bound identity — its path, the additional
    data it was sealed with — and its plaintext compared with ``meta.plain_sha256``: two envelopes
    swapped together with their database hashes no longer pass.

    Reads every byte (about 1 s per GB on a counter PC's disk), so run it on a worker thread;
    ``progress(done, total)`` is called after each file.
    """
    root = Path(data_root)
    encrypted_dir = vault.encryption_on(root) or bool(cdb.get_setting(vault.ENCRYPTED_SETTING, False))
    ring = vault.ring(root) if encrypted_dir else None
    # While «Bật mã hóa» is still converting the archive, plain files are expected.
    converting = bool(cdb.get_setting("encryption_pending", False))
    rows = cdb.query("SELECT id, dossier_id, path, sha256, meta FROM files ORDER BY id")
    problems: list[ArchiveProblem] = []
    for n, row in enumerate(rows, start=1):
        base = {"file_id": int(row["id"]), "dossier_id": row["dossier_id"], "path": row["path"],
                "expected_sha256": row["sha256"]}
        path = _resolve(root, row["path"])
        if path is None:
            problems.append(ArchiveProblem(**base, problem="outside"))
        elif not path.is_file():
            problems.append(ArchiveProblem(**base, problem="missing"))
        else:
            try:
                data = path.read_bytes() if encrypted_dir else None
                actual = sha256_bytes(data) if data is not None else sha256_file(path)
            except OSError as exc:
                problems.append(ArchiveProblem(**base, problem="unreadable", detail=exc.strerror or str(exc)))
            else:
                if actual != row["sha256"]:
                    problems.append(ArchiveProblem(**base, problem="changed", actual_sha256=actual))
                elif data is not None:
                    found = _envelope_problem(ring, data, row, converting)
                    if found:
                        problems.append(ArchiveProblem(**base, problem=found[0], detail=found[1]))
        if progress:
            progress(n, len(rows))
    if problems:
        log.warning("archive check: %d of %d files have problems", len(problems), len(rows))
    return problems


def _envelope_problem(ring: crypto.KeyRing | None, data: bytes, row: dict[str, Any],
                      converting: bool) -> tuple[str, str] | None:
    """What is wrong with a registered file of an encrypted directory, beyond its SHA-256."""
    if not crypto.is_encrypted(data):
        return None if converting else ("plain", "")
    if ring is None:
        return None  # cannot open it here; archive_report says the decrypting part was skipped
    rel = Path(row["path"]).as_posix()
    try:
        plain = crypto.decrypt_bytes(ring, data, rel)
    except crypto.DecryptionFailed as exc:
        return "undecryptable", exc.message
    expected = _json_meta(row.get("meta")).get("plain_sha256")
    if isinstance(expected, str) and expected and sha256_bytes(plain) != expected:
        return "swapped", ""
    return None


def archive_report(db_path: str | Path, *, progress: Callable[[int, int], None] | None = None,
                   limit: int = 50) -> tuple[bool, str]:
    """:func:`verify_archive` as a Vietnamese report for the supervisor and ``counter-app check``.

    Opens its own connection (it reads every byte of the archive, so it runs on a thread of its
    own and must not hold up the DB worker), names each damaged file's dossier, and ends with what
    to do. Returns ``(all good, text)``.
    """
    cdb = CounterDB(db_path, read_only=True)  # only reads: works beside a writer and on read-only media
    try:
        total = int(cdb.scalar("SELECT count(*) FROM files") or 0)
        problems = verify_archive(cdb, cdb.root, progress=progress)
        ids = sorted({p.dossier_id for p in problems if p.dossier_id is not None})
        codes = {int(r["id"]): r["code"] or f"#{r['id']}" for r in cdb.query(
            f"SELECT id, code FROM dossiers WHERE id IN ({','.join('?' * len(ids))})", ids)} if ids else {}
    finally:
        cdb.close()
    encrypted = vault.encryption_on(Path(db_path).parent)
    skipped = ("\nChưa giải mã thử các tệp (chưa mở khóa mã hóa): tệp bị tráo giữa hai hồ sơ chỉ lộ ra khi "
               "giải mã — chạy lại khi đã mở khóa (COUNTER_APP_PASSPHRASE)."
               if encrypted and vault.ring(Path(db_path).parent) is None and total else "")
    if not problems:
        opened = ", giải mã được đúng vị trí" if encrypted and not skipped else ""
        return True, f"Kho bản số hóa: {total} tệp, tất cả còn nguyên (khớp mã SHA-256 ghi lúc lưu{opened}).{skipped}"
    lines = [f"Kho bản số hóa: {len(problems)} trong {total} tệp có vấn đề:"]
    for p in problems[:limit]:
        where = f" — hồ sơ {codes.get(p.dossier_id, p.dossier_id)}" if p.dossier_id is not None else ""
        lines.append(f"• {p.message()}{where}")
    if len(problems) > limit:
        lines.append(f"• … và {len(problems) - limit} tệp khác.")
    lines.append("Cách xử lý: khôi phục các tệp này từ bản sao lưu gần nhất (Cài đặt → Sao lưu → Khôi phục), "
                 "hoặc quét lại thành phần từ bản giấy nếu còn; bản đã đồng bộ có thể tải lại từ hệ thống của tỉnh.")
    return False, "\n".join(lines) + skipped


def orphan_scans(cdb: CounterDB, data_root: str | Path) -> list[Path]:
    """PDFs under ``scans/`` that no ``files`` row points to (left by a crash before registration).

    Temporary files of an interrupted atomic write (``.name.xxx.tmp``) are listed too.
    """
    root = Path(data_root)
    scans = root / "scans"
    if not scans.is_dir():
        return []
    known = {r["path"] for r in cdb.query("SELECT path FROM files")}
    orphans: list[Path] = []
    for dirpath, _dirs, names in os.walk(scans):
        for fname in names:
            p = Path(dirpath) / fname
            if p.relative_to(root).as_posix() not in known:
                orphans.append(p)
    return sorted(orphans)


# ------------------------------------------------------------------ switching encryption on
_ENCRYPT_BATCH = 32  # row updates per transaction: a commit is a disk flush; a crash redoes at most these


def _json_meta(text: str | None) -> dict[str, Any]:
    try:
        meta = json.loads(text or "{}")
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}


def _flush_encrypted(cdb: CounterDB, updates: list[tuple[int, str, str, int, int]]) -> int:
    """Point the rows at their envelopes, in one transaction; returns how many rows changed.

    Each update is ``(file id, expected old sha256, new sha256, new size, plain size)``. The row is
    re-read inside the transaction and only changed if it still names the plaintext we encrypted,
    so a concurrent edit of the row (a deletion mark, a rescan) is never overwritten.
    """
    changed = 0
    with cdb.write():
        for file_id, old_sha, new_sha, new_size, plain_size in updates:
            row = cdb.query_one("SELECT sha256, meta FROM files WHERE id = ?", (file_id,))
            if row is None or row["sha256"] != old_sha:
                continue
            meta = _json_meta(row["meta"])
            meta["plain_sha256"] = old_sha
            meta["plain_size"] = plain_size
            cdb.conn.execute("UPDATE files SET sha256 = ?, size = ?, meta = ? WHERE id = ?",
                             (new_sha, new_size, json.dumps(meta, ensure_ascii=False), file_id))
            changed += 1
    updates.clear()
    return changed


def encrypt_existing_files(
    cdb: CounterDB,
    *,
    progress: Callable[[int, int], None] | None = None,
    skipped: list[ArchiveProblem] | None = None,
) -> int:
    """Encrypt every registered file that is still plain on disk; returns how many were converted.

    Run once after :func:`counter_app.vault.setup_encryption` on a data directory that already
    holds scans (and results from the province). Qt-free and blocking (reads and rewrites every
    file): run it on a worker thread; ``progress(done, total)`` is called after each file.

    For each ``files`` row whose file is plain, the envelope is written atomically over it
    (:func:`counter_app.vault.store`), then ``sha256``/``size`` become the envelope's and
    ``meta.plain_sha256``/``plain_size`` keep the document's (small batches of row updates, one
    transaction each). **Resumable and idempotent:** a re-run skips files already converted; one
    killed between the rename and its row update is an envelope whose *plaintext* hash equals the
    row's hash, and only the row is fixed. Files that are missing, changed since they were stored
    (encrypting them would hide the damage from :func:`verify_archive`) or outside the data
    directory are left as they are and reported in ``skipped`` (when a list is given) and in the log.

    Raises :class:`counter_app.vault.Locked` if the keys are not opened, and
    :class:`~counter_app.errors.ValidationError` if the directory is not encrypted at all.
    """
    root = cdb.root
    ring = vault.require_ring(root)
    if ring is None:
        raise ValidationError("Thư mục dữ liệu chưa bật mã hóa nên chưa mã hóa được các tệp cũ.",
                              hint="Bật mã hóa (đặt mật khẩu mã hóa) trong Cài đặt trước, rồi chạy lại.")
    rows = cdb.query("SELECT id, dossier_id, path, sha256, meta FROM files ORDER BY id")
    problems: list[ArchiveProblem] = []
    pending: list[tuple[int, str, str, int, int]] = []
    converted = 0
    for n, row in enumerate(rows, start=1):
        base = {"file_id": int(row["id"]), "dossier_id": row["dossier_id"], "path": row["path"],
                "expected_sha256": row["sha256"]}
        path = _resolve(root, row["path"])
        blob: bytes | None = None
        if path is None:
            problems.append(ArchiveProblem(**base, problem="outside"))
        else:
            try:
                blob = path.read_bytes()
            except FileNotFoundError:
                problems.append(ArchiveProblem(**base, problem="missing"))
            except OSError as exc:
                problems.append(ArchiveProblem(**base, problem="unreadable", detail=exc.strerror or str(exc)))
        if blob is not None:
            disk_sha = sha256_bytes(blob)
            rel = Path(row["path"]).as_posix()
            if not crypto.is_encrypted(blob):
                if disk_sha != row["sha256"]:
                    problems.append(ArchiveProblem(**base, problem="changed", actual_sha256=disk_sha))
                else:
                    new_sha, new_size = vault.store(root, rel, blob)
                    pending.append((int(row["id"]), row["sha256"], new_sha, new_size, len(blob)))
            elif disk_sha != row["sha256"]:
                # An envelope the row does not describe: either our own write whose row update was
                # lost in a crash (its plaintext is what the row names), or damage.
                try:
                    plain = crypto.decrypt_bytes(ring, blob, rel)
                except crypto.DecryptionFailed as exc:
                    problems.append(ArchiveProblem(**base, problem="changed", actual_sha256=disk_sha,
                                                   detail=exc.message))
                else:
                    if sha256_bytes(plain) == row["sha256"]:
                        pending.append((int(row["id"]), row["sha256"], disk_sha, len(blob), len(plain)))
                    else:
                        problems.append(ArchiveProblem(**base, problem="changed", actual_sha256=disk_sha))
            # else: already an envelope that its row describes (done by an earlier run or a new save)
        if len(pending) >= _ENCRYPT_BATCH:
            converted += _flush_encrypted(cdb, pending)
        if progress:
            progress(n, len(rows))
    if pending:
        converted += _flush_encrypted(cdb, pending)
    if problems:
        log.warning("encrypting existing files: %d of %d left as they are (%s)", len(problems), len(rows),
                    ", ".join(sorted({p.problem for p in problems})))
    if skipped is not None:
        skipped.extend(problems)
    log.info("encrypted %d existing files", converted)
    return converted
