"""The sync engine: push the outbox to the provincial system, pull the province's changes.

One pass (:func:`sync_once`):

1. **Push.** Pending outbox entries are grouped into *units*, one per dossier (an entry without a
   dossier is a unit of its own), taken in ``next_attempt_at`` order; entries still waiting out a
   back-off are skipped, so a failing unit never delays the others (no head-of-line blocking).
   For a unit, in one transaction the worker snapshots the unit's entries, marks them
   ``uploading`` and builds what to send from the database *as it is now*; then, outside any
   transaction, it uploads the dossier's files (resumable, SHA-256 checked), then the dossier
   record that references them (create → "đã tồn tại" → update), then progress entries; then, in
   one transaction, it records each entry's outcome. Consequences:

   - *coalescing*: three pending ``dossier_upsert`` entries of one dossier send its latest state
     once and are all marked ``synced``;
   - *no lost edit*: an edit committed while the unit is in flight writes a new outbox entry that
     is not in the snapshot, so it stays ``pending`` and is sent by the next pass;
   - *files first*: the server never holds a dossier whose files are missing;
   - *idempotent retries*: dossier codes and file ids (``files.uid``) are generated locally and
     never change; a retried create becomes an update, a retried chunk resumes at the server's
     offset, a retried progress entry carries the same ``IdTienDo``;
   - *crash safety*: entries left ``uploading`` by a killed process are put back to ``pending``
     at the start of a pass (the server side is idempotent, so re-sending is harmless).

   Clock: queue order is the order of entry (``outbox.id``), never a timestamp. A retry time
   further ahead than any back-off could set (:func:`_horizon`) can only come from a clock that
   was ahead and was corrected, so such an entry is due now; within a process the back-off is also
   kept on the monotonic clock (``holds``), so a wall clock jumping forward does not cut it short.
   Entries stamped in the future get the latest creation time they can honestly have
   (:func:`heal_clock`), so the queue age shown to the officer grows again.

   Failures: exponential back-off with full jitter per entry (``attempts``, ``next_attempt_at``).
   An entry is parked in ``error`` (with a Vietnamese ``last_error``) after
   :attr:`SyncConfig.max_attempts` failed tries, or at once for a refusal that cannot heal by
   itself (invalid field, file damaged on disk); ``conflict`` when the server already holds a
   different progress entry under the same id. :func:`retry_item` / :func:`retry_all_errors`
   put parked entries back. Network outages never park anything: they only delay.

2. **Pull.** ``TraCuuHoSo`` since the stored cursor; the province's processing statuses are
   applied (conflict rule in docs/sync.md) and result documents downloaded and registered.

3. **Catalogue** (every :attr:`SyncConfig.catalogue_interval` seconds): ``LayDanhSachTTHC``
   since the stored version → :func:`counter_app.db.catalogue.store_procedures`.

Threads: a :class:`CounterDB` belongs to the thread that opened it, so :func:`run_forever` must
be given a database opened in the thread that runs it (see :mod:`counter_app.sync.runner`).
"""

from __future__ import annotations

import json
import logging
import random
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ALL_COMPLETED, FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from counter_app import vault
from counter_app.atomicio import sha256_bytes
from counter_app.db import outbox, ward
from counter_app.db.catalogue import store_procedures
from counter_app.db.database import CounterDB
from counter_app.db.dossiers import add_event, ts
from counter_app.errors import CounterError
from counter_app.sync import mapping, replica
from counter_app.sync import protocol as p
from counter_app.sync.client import (
    CertificateNotTrusted,
    LocalFileProblem,
    LoginRejected,
    ProvincialClient,
    Rejected,
    ServerUnreachable,
    SyncError,
)
from counter_app.timefmt import parse_db_ts

log = logging.getLogger(__name__)

__all__ = [
    "PROVINCE_STATUSES",
    "KeysLocked",
    "SyncConfig",
    "SyncReport",
    "heal_clock",
    "pull_catalogue",
    "pull_changes",
    "recover_interrupted",
    "retry_all_errors",
    "retry_item",
    "run_forever",
    "sync_once",
]

# --- settings keys (all documented in docs/sync.md) ------------------------------------------

CURSOR_KEY = "sync_pull_cursor"
CATALOGUE_VERSION_KEY = "sync_catalogue_version"
CATALOGUE_CHECKED_KEY = "sync_catalogue_checked_at"
PENDING_RESULTS_KEY = "sync_pending_results"
LAST_SUCCESS_KEY = "sync_last_success_at"
LAST_ATTEMPT_KEY = "sync_last_attempt_at"
LAST_ERROR_KIND_KEY = "sync_last_error_kind"
LAST_ERROR_MESSAGE_KEY = "sync_last_error_message"
LAST_ERROR_AT_KEY = "sync_last_error_at"
#: Extra agency codes a supervisor's PC replicates besides its own (a JSON list; issue #19).
WARD_UNITS_KEY = "ward_supervised_units"

# Statuses decided by the province's processing (DOMAIN §4): the province wins for these.
PROVINCE_STATUSES = frozenset({4, 5, 6, 8, 9, 10})
# Statuses the counter sets as final at the counter (refused, withdrawn, result handed over):
# a later province status never reopens them.
COUNTER_FINAL_STATUSES = frozenset({3, 7, 10})
# Errors that concern the connection or the account, not one item: stop the pass, charge nobody.
_GLOBAL_ERRORS = (CertificateNotTrusted, LoginRejected)


class KeysLocked(SyncError):
    """The data directory is encrypted and its keys are not opened in this process.

    Nothing could be read (sealed fields, encrypted scans) or stored (results), so the pass stops
    before claiming anything, like an outage: no entry is charged or parked.
    """

    kind = "locked"


def _require_keys(data_root: Path) -> None:
    try:
        vault.require_ring(data_root)
    except vault.Locked as exc:
        raise KeysLocked(exc.message, hint=exc.hint) from None


@dataclass(frozen=True)
class SyncConfig:
    """Tuning of the engine. Defaults suit a ward office; tests shrink the delays."""

    max_attempts: int = 8            # failed tries before an entry is parked in 'error'
    backoff_base: float = 5.0        # seconds; the n-th retry waits uniform(0, base·2^(n-1))
    backoff_cap: float = 900.0       # never wait more than 15 minutes between tries of one entry
    batch_units: int = 256           # due units fetched per queue look-up (the grouping query is the costly read)
    workers: int = 4                 # units sent in parallel (HTTP only; the database stays on this thread)
    commit_window: float = 0.03      # seconds to gather outcomes into one commit (a commit is a disk flush)
    unreachable_abort: int = 3       # this many units unreachable in a batch with no success: stop the pass
    pull: bool = True                # run TraCuuHoSo in this pass
    pull_page: int = 200
    catalogue_interval: float | None = 6 * 3600.0  # seconds between catalogue checks; None = never
    max_pass_seconds: float | None = None           # stop pushing after this long (the rest waits)


@dataclass
class SyncReport:
    """What one pass did."""

    started_at: datetime
    finished_at: datetime | None = None
    recovered: int = 0              # 'uploading' entries reset after a crash
    synced: int = 0                 # outbox entries marked synced
    dossiers_sent: int = 0
    files_uploaded: int = 0
    progress_sent: int = 0
    failed: int = 0                 # entries that failed and will be retried
    parked: int = 0                 # entries moved to 'error' or 'conflict'
    pulled: int = 0                 # dossiers changed by the province
    replicas: int = 0               # other counters' dossiers inserted or refreshed (issue #19)
    conflicts: int = 0              # our actions refused because another counter acted first
    results_downloaded: int = 0
    catalogue_updated: int = 0
    error: SyncError | None = None  # why the pass stopped early (no connection, login, certificate)
    item_errors: list[str] = field(default_factory=list)  # kinds of per-entry failures

    @property
    def ok(self) -> bool:
        """True when the pass reached the server and nothing failed."""
        return self.error is None and self.failed == 0 and self.parked == 0


# --- outbox bookkeeping ----------------------------------------------------------------------


def recover_interrupted(cdb: CounterDB) -> int:
    """Put entries a killed process left 'uploading' back to 'pending'; returns how many.

    Safe because every call to the server is idempotent: re-sending a dossier that did arrive
    is answered "đã tồn tại" → update → ``unchanged``; a file resumes at the server's offset.
    Run before every pass of the loop, so it first looks (an index read) and writes only when needed.
    """
    n = outbox.reset_uploading(cdb)
    if n:
        log.info("reset %d interrupted outbox entries to pending", n)
    return int(n)


def retry_item(cdb: CounterDB, outbox_id: int, now: datetime | None = None) -> bool:
    """Put one parked ('error' or 'conflict') entry back in the queue, due now.

    Returns False when the entry does not exist or is not parked. The attempts counter starts
    again so the entry gets its full number of tries.
    """
    return outbox.requeue_parked(cdb, now or datetime.now(), int(outbox_id)) > 0


def retry_all_errors(cdb: CounterDB, now: datetime | None = None) -> int:
    """Put every entry parked in 'error' back in the queue; returns how many."""
    return outbox.requeue_parked(cdb, now or datetime.now(), states=("error",))


def _backoff(config: SyncConfig, attempts: int) -> float:
    # Full jitter (AWS architecture blog, "Exponential Backoff and Jitter"): spreads the retries
    # of many entries that failed together instead of sending them back in one burst.
    return random.uniform(0, min(config.backoff_cap, config.backoff_base * (2 ** max(attempts - 1, 0))))


def _entry_file_uid(payload: dict[str, Any]) -> str | None:
    # counter_app.db.files.register_scan writes "file_uid"; other spellings are accepted so an
    # entry written by another tool (demo data, imports) is never stranded.
    for key in ("file_uid", "uid", "file_id", "TepDinhKemId"):
        value = payload.get(key)
        if isinstance(value, str) and value:
            return value
    return None


# --- units -----------------------------------------------------------------------------------


class _Deferred(SyncError):
    """Not sent because something it depends on was not sent (no attempt is charged)."""

    kind = "deferred"


@dataclass
class _Unit:
    """Everything about one dossier (or one lone entry) sent in one go."""

    key: int
    entries: list[dict[str, Any]]
    dossier_id: int | None = None
    files: list[mapping.FileRef] = field(default_factory=list)
    payload: dict[str, Any] | None = None
    exists: bool = False
    progress: list[dict[str, Any]] = field(default_factory=list)
    # outcomes, filled by _send
    file_errors: dict[str, SyncError] = field(default_factory=dict)
    missing_files: set[str] = field(default_factory=set)  # file entries whose row is gone
    files_ok: set[str] = field(default_factory=set)       # file ids complete on the server
    dossier_error: SyncError | None = None
    progress_error: SyncError | None = None
    global_error: SyncError | None = None
    dossier_sent: bool = False
    files_uploaded: int = 0
    progress_sent: int = 0

    def error_for(self, entry: dict[str, Any]) -> SyncError | None:
        """The outcome of one entry of this unit (None = synced)."""
        if self.global_error is not None:
            return self.global_error
        kind = entry["kind"]
        if kind == "file":
            uid = _entry_file_uid(json.loads(entry["payload"])) or f"#{entry['id']}"
            if uid in self.missing_files or uid in self.files_ok:
                # Arrived (the dossier record may still be pending: that is its own entry), or the
                # file row is gone (re-scanned): nothing left to send for this entry.
                return None
            return self.file_errors.get(uid) or _Deferred("Tệp chưa được gửi, sẽ gửi lại sau.")
        if kind == "dossier_upsert":
            return self.dossier_error
        return self.progress_error

    def first_error(self) -> SyncError | None:
        """The error that stopped this unit, if any (for the pass-level outage check)."""
        return self.global_error or self.dossier_error or next(iter(self.file_errors.values()), None)

    @property
    def made_progress(self) -> bool:
        """True when the server accepted at least one request of this unit."""
        return bool(self.dossier_sent or self.files_uploaded or self.progress_sent)


#: Seconds of slack beyond the longest back-off before a retry time counts as "the clock was ahead".
CLOCK_SLACK = 300.0


def _horizon(config: SyncConfig, now: datetime) -> datetime:
    """The latest retry time a back-off can have set from ``now``; anything later is a clock artefact."""
    return now + timedelta(seconds=config.backoff_cap + CLOCK_SLACK)


def _due_units(cdb: CounterDB, now: datetime, limit: int, seen: set[int], config: SyncConfig,
               holds: dict[int, float] | None = None) -> list[int]:
    # Order of entry (MIN(id)), not of a timestamp: a clock set back or ahead never reorders the queue.
    keys = outbox.due_keys(cdb, now, _horizon(config, now), limit + len(seen) + len(holds or ()))
    mono = time.monotonic()
    held = {k for k, until in (holds or {}).items() if until > mono}
    return [k for k in keys if k not in seen and k not in held][:limit]


def heal_clock(cdb: CounterDB, config: SyncConfig | None = None, now: datetime | None = None) -> int:
    """Repair what a clock that ran ahead left in the queue; returns how many entries were touched.

    - a retry time beyond the back-off horizon becomes "now" (the entry is due);
    - a creation time in the future becomes the creation time of the next entry stamped by a
      correct clock (entries are created in ``id`` order, so that is the latest moment this one
      can have been created), or now: the queue age shown is a true lower bound, not "0" for a year.
    """
    config = config or SyncConfig()
    now = now or datetime.now()
    # Unsynced states only, through the (state, next_attempt_at) index: synced rows can be millions.
    n = outbox.heal_future_stamps(cdb, now, _horizon(config, now), now + timedelta(seconds=CLOCK_SLACK))
    if n:
        log.warning("clock: %d outbox entries were stamped in the future (the clock was ahead); repaired", n)
    return int(n)


def _claim(cdb: CounterDB, key: int, data_root: Path) -> _Unit | None:
    """Inside the caller's transaction: snapshot a unit's entries, mark them uploading, build it."""
    # Parked upserts and files of the same dossier ride along (outbox.claim says why).
    entries = outbox.claim(cdb, key)
    if not entries:
        return None
    unit = _Unit(key=key, entries=entries, dossier_id=key if key > 0 else entries[0]["dossier_id"])
    kinds = {e["kind"] for e in entries}
    code = None
    if unit.dossier_id is not None:
        code = cdb.scalar("SELECT code FROM dossiers WHERE id = ?", (unit.dossier_id,))
        unit.files = mapping.dossier_files(cdb, unit.dossier_id, data_root)
    known = {f.uid for f in unit.files}
    for e in entries:
        if e["kind"] != "file":
            continue
        uid = _entry_file_uid(json.loads(e["payload"]))
        ref = mapping.file_ref(cdb, uid, data_root) if uid else None
        if ref is None:
            unit.missing_files.add(uid or f"#{e['id']}")
        elif ref.uid not in known:
            unit.files.append(ref)
            known.add(ref.uid)
    # A new file changes the dossier's TaiLieuNop, so the record is sent again after its files.
    if code and kinds & {"dossier_upsert", "file"}:
        unit.payload = mapping.dossier_payload(cdb, unit.dossier_id)  # type: ignore[arg-type]
        unit.exists = outbox.dossier_sent_before(cdb, unit.dossier_id)  # type: ignore[arg-type]
    for e in entries:
        if e["kind"] != "progress":
            continue
        payload = json.loads(e["payload"])
        if "wire" not in payload:
            # Freeze the step at its first attempt: a retry must carry identical content, or the
            # server answers error 7 (same IdTienDo, different content).
            payload["wire"] = mapping.progress_item(cdb, e)
            outbox.set_payload(cdb, e["id"], payload)
        unit.progress.append(payload["wire"])
    return unit


def _claim_safely(cdb: CounterDB, key: int, data_root: Path, now: datetime) -> _Unit | None:
    """:func:`_claim` in a savepoint; a unit that cannot even be built is parked, not fatal."""
    try:
        with cdb.write():
            if key > 0 and replica.park_foreign_entries(cdb, key, now):
                log.warning("dossier %s is another counter's: its non-action outbox entries were parked", key)
            return _claim(cdb, key, data_root)
    except Exception:
        # A data problem or a bug in the mapping: park this unit, keep the queue moving.
        log.exception("could not prepare outbox unit %s", key)
        outbox.park_unit(cdb, key, now, "Không lập được dữ liệu để gửi (lỗi dữ liệu hoặc lỗi chương trình). "
                         "Gửi tệp nhật ký cho bộ phận hỗ trợ rồi bấm «Gửi lại».")
        return None


def _because_of_file(cause: SyncError, code: str, name: str) -> SyncError:
    """The dossier's error when one of its files failed: same class (so same retry rule)."""
    text = f"Chưa gửi hồ sơ {code} vì tệp «{name}» chưa gửi được: {cause.message}"
    if isinstance(cause, Rejected):
        return Rejected(text, hint=cause.hint, error_code=cause.error_code, server_message=cause.server_message,
                        retryable=cause.retryable)
    error = type(cause)(text, hint=cause.hint)
    error.retryable = cause.retryable
    return error


def _send(unit: _Unit, client: ProvincialClient, uploaded: set[str]) -> None:
    """The network part of a unit: files, then the dossier, then progress. Never raises."""
    try:
        for f in unit.files:
            if f.uid in uploaded:
                unit.files_ok.add(f.uid)
                continue
            if f.outside:
                unit.file_errors[f.uid] = LocalFileProblem(
                    f"Đường dẫn của tệp «{f.name}» nằm ngoài thư mục dữ liệu; không gửi tệp này.",
                    hint="Báo quản trị kiểm tra dữ liệu (có thể đã bị sửa ngoài ứng dụng).")
                continue
            try:
                client.upload_file(f.uid, f.path, name=f.name, size=f.size, sha256=f.sha256)
            except _GLOBAL_ERRORS:
                raise
            except SyncError as exc:
                unit.file_errors[f.uid] = exc
                if isinstance(exc, ServerUnreachable):
                    break  # the rest would fail the same way; try again after the back-off
                continue
            uploaded.add(f.uid)
            unit.files_ok.add(f.uid)
            unit.files_uploaded += 1
        if unit.payload is not None:
            if unit.file_errors:
                # Files first: the record waits for its files and shares their fate (a damaged
                # scan parks its dossier too; an outage only delays both).
                uid, first = next(iter(unit.file_errors.items()))
                name = next((f.name for f in unit.files if f.uid == uid), uid)
                unit.dossier_error = _because_of_file(first, str(unit.payload["MaHoSo"]), name)
            else:
                try:
                    client.sync_dossier(unit.payload, exists=unit.exists)
                    unit.dossier_sent = True
                except _GLOBAL_ERRORS:
                    raise
                except SyncError as exc:
                    unit.dossier_error = exc
                    if isinstance(exc, Rejected) and exc.error_code == p.ErrorCode.FILE_MISSING:
                        # The server lost a file we thought it had: upload it again next time.
                        uploaded.discard(str(exc.body.get("missing_file", "")))
        if unit.progress:
            if unit.dossier_error is not None:
                unit.progress_error = _Deferred("Chờ gửi hồ sơ trước khi gửi tiến độ xử lý.")
            else:
                try:
                    client.update_progress(unit.progress)
                    unit.progress_sent = len(unit.progress)
                except _GLOBAL_ERRORS:
                    raise
                except SyncError as exc:
                    unit.progress_error = exc
    except _GLOBAL_ERRORS as exc:
        unit.global_error = exc
    except Exception as exc:  # a bug must not stop the queue: record it on the unit, log loudly
        log.exception("unexpected error while sending outbox unit %s", unit.key)
        unit.dossier_error = unit.progress_error = SyncError(
            f"Lỗi không mong đợi khi gửi: {type(exc).__name__}.",
            hint="Hệ thống sẽ thử lại; nếu lặp lại, gửi tệp nhật ký cho bộ phận hỗ trợ.")
        for f in unit.files:
            if f.uid not in uploaded:
                unit.file_errors.setdefault(f.uid, unit.dossier_error)


def _record(cdb: CounterDB, unit: _Unit, config: SyncConfig, now: datetime, report: SyncReport,
            holds: dict[int, float] | None = None) -> None:
    """Inside the caller's transaction: write each entry's outcome.

    ``holds`` receives the unit's earliest retry on the monotonic clock (see the module docstring).
    """
    waits: list[float] = []
    for e in unit.entries:
        error = unit.error_for(e)
        if error is None:
            outbox.mark_synced(cdb, e["id"], now)
            report.synced += 1
            continue
        message = error.user_message()
        if unit.global_error is not None:
            # Not this entry's fault (certificate, password): back in the queue, no attempt charged.
            outbox.mark_retry(cdb, e["id"], message)
            continue
        if isinstance(error, _Deferred):
            delay = _backoff(config, int(e["attempts"]) + 1)
            waits.append(delay)
            outbox.mark_retry(cdb, e["id"], message, now + timedelta(seconds=delay))
            report.failed += 1
            continue
        attempts = int(e["attempts"]) + 1
        report.item_errors.append(error.kind)
        if isinstance(error, Rejected) and error.error_code == p.ErrorCode.STALE_VERSION:
            # Another counter acted on this dossier first (issue #19): both sides kept, the
            # province's state shown, the entry parked for the officer to look at.
            replica.record_stale_action(cdb, e, error.body, now)
            report.conflicts += 1
            state = "conflict"
        elif isinstance(error, Rejected) and error.error_code == p.ErrorCode.CONFLICT:
            state = "conflict"
        elif not error.retryable:
            state = "error"
        elif attempts >= config.max_attempts and not isinstance(error, ServerUnreachable):
            # An outage is nobody's fault and never parks an entry; repeated server errors or
            # refusals on one entry do.
            state = "error"
        else:
            state = "pending"
        delay = _backoff(config, attempts)
        next_at = now + timedelta(seconds=delay)
        if state == "pending":
            waits.append(delay)
        outbox.mark_attempt(cdb, e["id"], state, attempts, next_at, message)
        if state == "pending":
            report.failed += 1
        else:
            report.parked += 1
            log.warning("outbox entry %d (%s) parked as %s after %d attempt(s): %s", e["id"], e["kind"], state,
                        attempts, error.kind)
    if holds is not None:
        if waits:
            holds[unit.key] = time.monotonic() + min(waits)
        else:
            holds.pop(unit.key, None)


def push(cdb: CounterDB, data_root: Path, client: ProvincialClient, report: SyncReport, *,
         config: SyncConfig, now: datetime | None = None, stop: threading.Event | None = None,
         uploaded: set[str] | None = None, holds: dict[int, float] | None = None) -> None:
    """Send due outbox units until none is due (or ``stop`` / the time limit / a global error).

    A pipeline, not lock-step batches: up to ``config.workers`` units are on the wire at once and
    a new one is claimed as soon as one finishes, so a unit stuck in retries slows nobody else.
    All database work stays on this thread (SQLite connections belong to their thread); claims
    and outcomes are written in small transactions grouping whatever is ready.
    """
    fixed_now = now

    def clock() -> datetime:
        return fixed_now or datetime.now()

    started = time.monotonic()
    seen: set[int] = set()
    backlog: deque[int] = deque()
    uploaded = uploaded if uploaded is not None else set()
    workers = max(1, config.workers)
    # Units claimed ahead of the free threads: keeps every thread busy while this thread commits
    # (with synchronous=FULL one commit costs a disk flush, several milliseconds).
    depth = workers * 4
    in_flight: dict[Future[None], _Unit] = {}
    finished: list[_Unit] = []
    streak = 0          # units in a row that could not reach the server
    claiming = True
    with ThreadPoolExecutor(workers, thread_name_prefix="sync-send") as pool:
        while True:
            if claiming and ((stop is not None and stop.is_set()) or (
                    config.max_pass_seconds is not None and time.monotonic() - started > config.max_pass_seconds)):
                claiming = False
            take: list[int] = []
            if claiming and len(in_flight) < depth:
                if len(backlog) < depth:
                    # Fetched in bulk: the grouping query is the costly read of a pass.
                    keys = _due_units(cdb, clock(), max(config.batch_units, depth), seen, config, holds)
                    seen.update(keys)
                    backlog.extend(keys)
                take = [backlog.popleft() for _ in range(min(depth - len(in_flight), len(backlog)))]
            if finished or take:
                # One transaction records what came back and claims what goes out next.
                with cdb.write():
                    for u in finished:
                        _record(cdb, u, config, clock(), report, holds)
                    units = [u for u in (_claim_safely(cdb, k, data_root, clock()) for k in take) if u is not None]
                finished = []
                for u in units:
                    in_flight[pool.submit(_send, u, client, uploaded)] = u
            if not in_flight:
                if claiming and backlog:
                    continue
                break
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            if len(done) < workers and len(in_flight) > len(done):
                # Gather a little longer: one commit for several outcomes instead of one each.
                done, _ = wait(in_flight, timeout=config.commit_window, return_when=ALL_COMPLETED)
            finished = [in_flight.pop(f) for f in done]
            for u in finished:
                report.files_uploaded += u.files_uploaded
                report.dossiers_sent += int(u.dossier_sent)
                report.progress_sent += u.progress_sent
                if u.global_error is not None and report.error is None:
                    report.error = u.global_error
                streak = 0 if u.made_progress else streak + isinstance(u.first_error(), ServerUnreachable)
            if streak >= config.unreachable_abort and report.error is None:
                # Nothing got through several times in a row: the network or the server is down,
                # not these entries. Stop here; the loop retries the whole queue later.
                report.error = next(u.first_error() for u in finished if u.first_error() is not None)
            if report.error is not None:
                claiming = False
            if not claiming:
                # Claimed but not started: nothing was sent, so back in the queue without an attempt
                # charged. A pass stopping on an outage (or a stop request) then ends with the units
                # already on the wire, instead of sending each queued one into the same dead server
                # and waiting out its deadline (16 queued units × 60 s against a dripping server).
                for f in [f for f in in_flight if f.cancel()]:
                    unit = in_flight.pop(f)
                    unit.global_error = _Deferred("Chưa gửi: lượt đồng bộ đã dừng trước khi tới lượt; sẽ gửi sau.")
                    finished.append(unit)
        if finished:
            with cdb.write():
                for u in finished:
                    _record(cdb, u, config, clock(), report, holds)


# --- pull ------------------------------------------------------------------------------------


def _unacked_status_change(cdb: CounterDB, dossier_id: int) -> bool:
    return outbox.unacked_status_change(cdb, dossier_id)


def _local_time(text: Any) -> str | None:
    """A wire timestamp as database text (local time), or None."""
    if not p.is_valid_timestamp(text):
        return None
    return ts(p.parse_timestamp(text).replace(tzinfo=None))


def _safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.-]+", "_", text).strip("_") or "ket-qua"


def _result_docs(item: dict[str, Any]) -> list[dict[str, Any]]:
    docs = item.get("DanhSachGiayToKetQua") or []
    return [d for d in docs if isinstance(d, dict) and isinstance(d.get("GiayToId"), str) and d["GiayToId"]]


def _download_result(client: ProvincialClient, data_root: Path, code: str, doc: dict[str, Any],
                     now: datetime) -> dict[str, Any]:
    gid = doc["GiayToId"]
    rel = Path("documents") / "results" / f"{now:%Y-%m}" / f"{_safe_name(code)}-{_safe_name(gid)[:12]}.pdf"
    url = str(doc.get("DuongDanTepTinKetQua") or p.file_path(gid))
    data = client.fetch(url)
    # Stored like a scan: encrypted when the data directory is (vault.Locked if its keys are not
    # open: the caller postpones the document). The row holds the hash of the bytes on disk, the
    # meta the province's own hash of the document.
    sha, size = vault.store(data_root, rel, data)
    return {"uid": gid, "path": rel.as_posix(), "sha256": sha, "size": size,
            "name": str(doc.get("TenGiayTo") or rel.name)[:255],
            "meta": {"source": "province", "MaGiayToKetQua": doc.get("MaGiayToKetQua", ""),
                     "MaThanhPhanHoSo": doc.get("MaThanhPhanHoSo", ""), "TenGiayTo": doc.get("TenGiayTo", ""),
                     "plain_sha256": sha256_bytes(data), "plain_size": len(data)}}


def _apply(cdb: CounterDB, item: dict[str, Any], local: dict[str, Any], files: list[dict[str, Any]],
           now: datetime) -> bool:
    """Inside the caller's transaction: lay the province's view of one dossier over ours."""
    dossier_id = int(local["id"])
    row = cdb.query_one("SELECT status, finished_at FROM dossiers WHERE id = ?", (dossier_id,))
    if row is None:
        return False
    current = int(row["status"])
    remote = item.get("TrangThaiHoSo")
    remote_status = int(remote) if isinstance(remote, int | str) and str(remote).isdigit() else None
    detail: dict[str, Any] = {"source": "province", "change_seq": item.get("change_seq")}
    steps = [s for s in item.get("QuaTrinhXuLy") or [] if isinstance(s, dict)]
    if steps:
        detail["note"] = str(steps[-1].get("NoiDungXuLy") or "")
        detail["by"] = str(steps[-1].get("NguoiXuLy") or "")
    changed_status = False
    if (remote_status in PROVINCE_STATUSES and remote_status != current
            and current not in COUNTER_FINAL_STATUSES and not _unacked_status_change(cdb, dossier_id)):
        # Province wins for processing statuses; the local transition table is bypassed on
        # purpose (5 → 9 is not a move the counter itself may make, but the province did).
        sets = ["status = ?", "version = version + 1", "updated_at = ?"]
        params: list[Any] = [remote_status, ts(now)]
        if remote_status == 9:
            sets.append("finished_at = ?")
            params.append(_local_time(item.get("NgayKetThucXuLy")) or row["finished_at"] or ts(now))
        cdb.conn.execute(f"UPDATE dossiers SET {', '.join(sets)} WHERE id = ?", [*params, dossier_id])
        changed_status = True
    elif remote_status is not None and remote_status != current:
        log.info("province status %s for dossier %s not applied (local %s)", remote_status, dossier_id, current)
    added = []
    for f in files:
        if cdb.scalar("SELECT 1 FROM files WHERE uid = ?", (f["uid"],)):
            continue
        cdb.conn.execute(
            "INSERT INTO files(uid, dossier_id, kind, path, name, mime, size, sha256, created_at, meta) "
            "VALUES (?, ?, 'result', ?, ?, 'application/pdf', ?, ?, ?, ?)",
            (f["uid"], dossier_id, f["path"], f["name"], f["size"], f["sha256"], ts(now),
             json.dumps(f["meta"], ensure_ascii=False)))
        added.append({"uid": f["uid"], "name": f["name"]})
    if not changed_status and not added:
        return False
    if added:
        detail["results"] = added
    add_event(cdb, dossier_id, "province_update", now, from_status=current,
              to_status=remote_status if changed_status else current, detail=detail)
    return True


def pull_changes(cdb: CounterDB, data_root: Path, client: ProvincialClient, report: SyncReport, *,
                 config: SyncConfig, now: datetime | None = None) -> None:
    """``TraCuuHoSo`` since the stored cursor until nothing more; apply each page in one transaction.

    Result documents are downloaded before the page's transaction (no network inside a database
    lock). One that cannot be fetched now is remembered in ``sync_pending_results`` and tried
    again at the next pull, so one missing file never holds the cursor back.
    """
    cursor = int(cdb.get_setting(CURSOR_KEY, 0) or 0)
    _retry_pending_results(cdb, data_root, client, report, now)
    scope = ward_scope(cdb)
    me = ward.counter_id(cdb)
    while True:
        # Nothing left to send: the province holds all our data as of now (our "as of" for the ward).
        queue_empty = not outbox.has_state(cdb, *outbox.WAITING)
        reply = client.changes_since(cursor, limit=config.pull_page, scope=scope, queue_empty=queue_empty)
        items = [d for d in reply.data if isinstance(d, dict) and isinstance(d.get("MaHoSo"), str)]
        codes = [d["MaHoSo"] for d in items]
        local = {r["code"]: r for r in cdb.query(
            f"SELECT id, code, owner_counter FROM dossiers WHERE code IN ({','.join('?' * len(codes))})",
            codes)} if codes else {}
        moment = now or datetime.now()
        downloads: dict[str, list[dict[str, Any]]] = {}
        postponed: list[dict[str, Any]] = []
        for item in items:
            if item["MaHoSo"] not in local or local[item["MaHoSo"]]["owner_counter"]:
                continue  # another counter's dossier: a replica, its results are fetched on demand
            for doc in _result_docs(item):
                if cdb.scalar("SELECT 1 FROM files WHERE uid = ?", (doc["GiayToId"],)):
                    continue
                try:
                    downloads.setdefault(item["MaHoSo"], []).append(
                        _download_result(client, data_root, item["MaHoSo"], doc, moment))
                except _GLOBAL_ERRORS:
                    raise
                except (SyncError, CounterError) as exc:
                    log.warning("result document of %s not downloaded now: %s", item["MaHoSo"], type(exc).__name__)
                    postponed.append({"MaHoSo": item["MaHoSo"], "doc": doc})
        with cdb.write():
            for item in items:
                held = local.get(item["MaHoSo"])
                if held is not None and not held["owner_counter"]:
                    if _apply(cdb, item, held, downloads.get(item["MaHoSo"], []), moment):
                        report.pulled += 1
                elif held is not None or item.get(p.RECEIVING_COUNTER_FIELD) != me:
                    # Another counter's dossier (or a replica already held): the ward replica.
                    # One of ours we do not hold (a restored old backup) is not made a replica.
                    report.replicas += int(replica.apply_replica(cdb, item, moment, local=held))
            report.results_downloaded += sum(len(v) for v in downloads.values())
            if postponed:
                pending = list(cdb.get_setting(PENDING_RESULTS_KEY, []) or [])
                known = {x["doc"]["GiayToId"] for x in pending}
                pending += [x for x in postponed if x["doc"]["GiayToId"] not in known]
                cdb.set_setting(PENDING_RESULTS_KEY, pending)
            new_cursor = reply.cursor if reply.cursor is not None else cursor
            cdb.set_setting(CURSOR_KEY, new_cursor)
            if not reply.has_more:
                replica.update_counters(cdb, reply.raw.get(p.COUNTERS_FIELD) or [], scope, moment)
        if not reply.has_more or new_cursor == cursor:
            return
        cursor = new_cursor


def ward_scope(cdb: CounterDB) -> list[str]:
    """The agencies this PC replicates: its own, plus the units a supervisor's PC watches."""
    own = str(cdb.get_setting("agency_code") or "")
    extra = cdb.get_setting(WARD_UNITS_KEY, []) or []
    units = [own] + [str(u) for u in (extra if isinstance(extra, list) else [extra]) if u]
    return list(dict.fromkeys(u for u in units if u))


def _retry_pending_results(cdb: CounterDB, data_root: Path, client: ProvincialClient, report: SyncReport,
                           now: datetime | None) -> None:
    pending = list(cdb.get_setting(PENDING_RESULTS_KEY, []) or [])
    if not pending:
        return
    still: list[dict[str, Any]] = []
    moment = now or datetime.now()
    for entry in pending:
        local = cdb.query_one("SELECT id, code FROM dossiers WHERE code = ?", (entry["MaHoSo"],))
        if local is None or cdb.scalar("SELECT 1 FROM files WHERE uid = ?", (entry["doc"]["GiayToId"],)):
            continue
        try:
            f = _download_result(client, data_root, entry["MaHoSo"], entry["doc"], moment)
        except _GLOBAL_ERRORS:
            raise
        except (SyncError, CounterError):
            still.append(entry)
            continue
        with cdb.write():
            _apply(cdb, {"MaHoSo": entry["MaHoSo"]}, local, [f], moment)
        report.results_downloaded += 1
    cdb.set_setting(PENDING_RESULTS_KEY, still)


def pull_catalogue(cdb: CounterDB, client: ProvincialClient, now: datetime | None = None) -> int:
    """``LayDanhSachTTHC`` since the stored version; returns how many procedures changed."""
    since = int(cdb.get_setting(CATALOGUE_VERSION_KEY, 0) or 0)
    version, entries = client.catalogue(since)
    live: list[dict[str, Any]] = []
    withdrawn: list[str] = []
    for e in entries:
        detail = e.get("ChiTiet")
        if e.get("DaXoa"):
            withdrawn.append(str(e.get("MaTTHC", "")))
        elif isinstance(detail, dict) and detail.get("code") and detail.get("name") and all(
                isinstance(c, dict) and c.get("code") and c.get("name") for c in detail.get("components") or []):
            live.append(detail)
        else:
            log.warning("catalogue entry %s skipped: not in the catalogue format", e.get("MaTTHC"))
    with cdb.write():
        n = store_procedures(cdb, live, version=str(version)) if live else 0
        for code in withdrawn:
            # Withdrawn procedures stay for the dossiers that used them, hidden from new receptions.
            n += cdb.conn.execute("UPDATE procedures SET active = 0 WHERE code = ?", (code,)).rowcount
        cdb.set_setting(CATALOGUE_VERSION_KEY, version)
        cdb.set_setting(CATALOGUE_CHECKED_KEY, ts(now or datetime.now()))
    if n:
        log.info("catalogue updated to version %s: %d procedure(s)", version, n)
    return n


def _catalogue_due(cdb: CounterDB, config: SyncConfig, now: datetime) -> bool:
    if config.catalogue_interval is None:
        return False
    last = cdb.get_setting(CATALOGUE_CHECKED_KEY)
    if not last:
        return True
    try:
        when = parse_db_ts(last)
        return when is None or (now - when).total_seconds() >= config.catalogue_interval
    except ValueError:
        return True


# --- one pass, and the loop ------------------------------------------------------------------


def sync_once(cdb: CounterDB, data_root: Path, client: ProvincialClient, now: datetime | None = None, *,
              config: SyncConfig | None = None, stop: threading.Event | None = None,
              recover: bool = True, uploaded: set[str] | None = None,
              holds: dict[int, float] | None = None) -> SyncReport:
    """One pass: recover, heal the clock, push, pull, catalogue. Never raises for network or server trouble.

    ``now`` fixes the clock (tests); by default the wall clock is read as the pass goes.
    ``uploaded`` is a cache of file ids known complete on the server, and ``holds`` each failed
    unit's next try on the monotonic clock, both kept across passes by :func:`run_forever`.
    """
    config = config or SyncConfig()
    report = SyncReport(started_at=now or datetime.now())
    if recover:
        report.recovered = recover_interrupted(cdb)
    heal_clock(cdb, config, now)
    try:
        _require_keys(Path(data_root))
        from counter_app.db.audit import wire_anchor

        client.audit_anchor = wire_anchor(cdb)  # the province keeps the trail's head (issue #15 item 4)
        client.agency, client.counter = str(cdb.get_setting("agency_code") or ""), ward.counter_id(cdb)
        _resume_after_outage(cdb, client, now, holds)
        push(cdb, Path(data_root), client, report, config=config, now=now, stop=stop, uploaded=uploaded,
             holds=holds)
        if report.error is None and (report.dossiers_sent or report.progress_sent
                                     or not outbox.has_state(cdb, *outbox.WAITING)):
            # The self row of the ward table: how fresh our data is at the province (issue #19).
            ward.ensure_self(cdb, pushed_at=ts(now or datetime.now()))
        if report.error is None and config.pull and not (stop and stop.is_set()):
            pull_changes(cdb, Path(data_root), client, report, config=config, now=now)
        if report.error is None and not (stop and stop.is_set()) and _catalogue_due(cdb, config, now or datetime.now()):
            report.catalogue_updated = pull_catalogue(cdb, client, now)
    except SyncError as exc:
        report.error = exc
    report.finished_at = now or datetime.now()
    _remember(cdb, report)
    return report


def _resume_after_outage(cdb: CounterDB, client: ProvincialClient, now: datetime | None,
                         holds: dict[int, float] | None = None) -> None:
    """After an outage, send what waited as soon as the server answers again.

    Entries that failed only because the network or the server was down sit in exponential backoff;
    once a log-in succeeds there is no reason to keep the officer waiting for each entry's timer.
    Business rejections keep their backoff (they are parked, not pending).
    """
    if cdb.get_setting(LAST_ERROR_KIND_KEY) not in ("unreachable", "server"):
        return
    client.login()  # raises SyncError if it is still down: the pass then stops as before
    outbox.make_due(cdb, now or datetime.now())
    if holds is not None:
        holds.clear()  # the same on the monotonic clock


def _remember(cdb: CounterDB, report: SyncReport) -> None:
    """Store the outcome for the status bar (last success, last error kind and message)."""
    at = ts(report.finished_at or datetime.now())
    with cdb.write():
        cdb.set_setting(LAST_ATTEMPT_KEY, at)
        if report.error is not None:
            cdb.set_setting(LAST_ERROR_KIND_KEY, report.error.kind)
            cdb.set_setting(LAST_ERROR_MESSAGE_KEY, report.error.user_message())
            cdb.set_setting(LAST_ERROR_AT_KEY, at)
            return
        cdb.set_setting(LAST_SUCCESS_KEY, at)
        if report.item_errors:
            cdb.set_setting(LAST_ERROR_KIND_KEY, report.item_errors[-1])
            cdb.set_setting(LAST_ERROR_AT_KEY, at)
        else:
            cdb.set_setting(LAST_ERROR_KIND_KEY, None)
            cdb.set_setting(LAST_ERROR_MESSAGE_KEY, None)


def _first_due(cdb: CounterDB, config: SyncConfig, holds: dict[int, float] | None = None) -> bool:
    """Something to send now. Between passes nothing of ours is 'uploading' (sync.lock: one sync
    process), so an 'uploading' entry was stranded by a pass that failed half-way: the next pass
    (``recover=True``) puts it back and sends it."""
    if outbox.has_state(cdb, "uploading"):
        return True
    return bool(_due_units(cdb, datetime.now(), 1, set(), config, holds))


def run_forever(cdb: CounterDB, data_root: Path, client: ProvincialClient, *, stop: threading.Event,
                wake: threading.Event | None = None, paused: threading.Event | None = None,
                config: SyncConfig | None = None, interval: float = 60.0, poll: float = 1.0,
                on_report: Callable[[SyncReport], None] | None = None) -> None:
    """Sync until ``stop`` is set.

    A pass runs when the outbox grows (a cheap ``MAX(id)`` read every ``poll`` seconds), when
    ``wake`` is set (the UI sets it after saving), when a backed-off entry becomes due, and every
    ``interval`` seconds (which also pulls the province's changes; pushes alone do not pull).
    While ``paused`` is set nothing is sent. After a pass that could not reach the server the
    loop waits with exponential back-off (full jitter, capped by ``config.backoff_cap``) unless
    woken. ``stop`` is honoured between batches of a pass and within ``poll`` seconds otherwise.
    """
    config = config or SyncConfig()
    uploaded: set[str] = set()
    holds: dict[int, float] = {}
    last_full = float("-inf")
    last_max: Any = object()
    failures = 0
    hold_until = 0.0
    while not stop.is_set():
        if paused is not None and paused.is_set():
            stop.wait(poll)
            continue
        woke = wake is not None and wake.is_set()
        if woke:
            wake.clear()  # type: ignore[union-attr]
        mono = time.monotonic()
        max_id = outbox.latest_id(cdb)
        full = mono - last_full >= interval
        if (woke or mono >= hold_until) and (woke or full or max_id != last_max or _first_due(cdb, config, holds)):
            pass_config = replace(config, pull=config.pull and (full or woke))
            try:
                # recover=True at every pass, not only at start: a pass cut by an exception (a
                # database locked for longer than the busy timeout, a full disk) leaves its claimed
                # entries 'uploading', and only this process could be sending them (sync.lock).
                report = sync_once(cdb, data_root, client, config=pass_config, stop=stop, recover=True,
                                   uploaded=uploaded, holds=holds)
            except Exception as exc:  # disk full, database locked, a bug: report, wait, try again
                if isinstance(exc, CounterError):  # the machine, not the program: said, no traceback
                    log.warning("sync pass stopped: %s", exc.message)
                else:
                    log.exception("sync pass failed")
                report = SyncReport(started_at=datetime.now(), finished_at=datetime.now())
                report.error = SyncError(exc.message if isinstance(exc, CounterError) else
                                         f"Lỗi không mong đợi khi đồng bộ: {type(exc).__name__}.",
                                         hint=exc.hint if isinstance(exc, CounterError) else None)
            last_max = max_id
            if full or woke:
                last_full = mono
            if report.error is not None:
                failures += 1
                delay = random.uniform(0, min(config.backoff_cap, config.backoff_base * 2 ** (failures - 1)))
                hold_until = time.monotonic() + max(delay, poll)
                log.info("sync pass stopped (%s); next try in %.0f s", report.error.kind, delay)
            else:
                failures = 0
                hold_until = 0.0
            if on_report is not None:
                try:
                    on_report(report)
                except Exception:  # the UI callback must not kill the sync thread
                    log.exception("sync report callback failed")
            if report.error is None and _first_due(cdb, config, holds):
                continue  # more is due right now (a batch limit or a new entry): no pause
        if wake is not None:
            wake.wait(poll)
        else:
            stop.wait(poll)

