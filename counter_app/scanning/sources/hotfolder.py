"""Hot folder: pages from scanners that "scan to folder" (SMB share, FTP, USB drive).

Why polling and not OS change notifications (inotify/ReadDirectoryChangesW/FSEvents): the
folder is usually a network share written by the scanner over SMB or FTP, and notifications
for remote writes are unreliable or absent (inotify sees nothing on CIFS mounts; Windows drops
events when its buffer overflows). A listing every ``poll_interval`` seconds is cheap for a
folder of a few files and works everywhere, with no extra dependency.

When is a file ready? Scanners write files in pieces, sometimes with pauses, sometimes
creating an empty file first. A file is imported only when

1. its size **and** modification time have not changed for ``settle_seconds``;
2. it can be opened for reading (Windows: the writer no longer holds it);
3. it decodes completely (:mod:`.imageio` / :mod:`.fileimport` reject truncated JPEG/PNG/TIFF
   and PDFs without their closing ``%%EOF``).

A file that fails step 3 is **not** moved aside at once: a writer may just be pausing. It goes
to ``failed/`` (with ``NAME.error.txt`` explaining in Vietnamese) only after it has stayed
unchanged and undecodable for ``fail_after_seconds``. If it changes meanwhile, it starts over.

Order of operations and crash safety (at-least-once, never lost):

1. decode/verify the file; 2. **yield** its pages — the generator resumes only after the
consumer has taken each page; 3. after the last page, **move** the file to
``imported/YYYY-MM-DD/``. A crash before 3 leaves the file in the hot folder, so it is imported
again after restart (a duplicate the consumer can spot with ``meta["file_sha256"]``), never
lost. The move never overwrites (``name (2).pdf``...) and uses a hard link + unlink where the
file system allows it, so a crash mid-move leaves the file in both places rather than neither.
If the consumer stops mid-file, the file stays in the folder for next time.

``max_pages`` is checked between files, so a multi-page file is never half-imported.

The originals kept in ``imported/`` are plain images of citizens' papers outside the encrypted
archive: they are a safety net for the day they were scanned, so day folders older than
``keep_imported_days`` (default 2) are deleted when the source starts (:func:`purge_imported`).
"""

from __future__ import annotations

import datetime
import itertools
import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from . import imageio
from .base import (
    MIN_DPI,
    AcquiredPage,
    CancelToken,
    DeviceNotFoundError,
    ImageError,
    ScanError,
    ScanSettings,
    SourceCapabilities,
    UnsafePathError,
)
from .fileimport import SUPPORTED_SUFFIXES, file_sha256, iter_file_pages

log = logging.getLogger(__name__)

IMPORTED_DIR = "imported"
KEEP_IMPORTED_DAYS = 2
FAILED_DIR = "failed"

# Files scanners, SMB clients and Office create while writing, plus system clutter.
_IGNORED_PREFIXES = (".", "~$", "~")
_IGNORED_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", ".filepart", ".error.txt")
_IGNORED_NAMES = frozenset({"thumbs.db", "desktop.ini"})
# Windows refuses these names (with any extension) and may treat them as devices.
_WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL"} | {f"COM{i}" for i in range(1, 10)} | {f"LPT{i}" for i in range(1, 10)}
)


def safe_child(directory: Path, name: str) -> Path:
    """``directory / name`` after checking ``name`` is a plain file name inside it.

    Refuses ``..``, separators, drive letters/ADS (``:``), NUL and Windows device names, and
    re-checks the resolved parent, so no name can place a file outside ``directory``.
    """
    bad = (
        not name
        or name in (".", "..")
        or any(ch in name for ch in ("/", "\\", "\x00", ":"))
        or name.split(".")[0].upper() in _WINDOWS_RESERVED
        or Path(name).is_absolute()
    )
    if bad:
        raise UnsafePathError(detail=f"unsafe name {name!r}")
    target = directory / name
    if target.resolve().parent != directory.resolve():
        raise UnsafePathError(detail=f"{name!r} escapes {directory}")
    return target


def purge_imported(folder: Path, keep_days: int, today: datetime.date) -> list[Path]:
    """Delete ``imported/YYYY-MM-DD`` day folders older than ``keep_days``; return what was removed.

    Only folders named as dates by this module are touched (never ``failed/``, never other files),
    and a folder that cannot be removed (file held open) is left for next time.
    """
    import shutil

    removed: list[Path] = []
    base = Path(folder) / IMPORTED_DIR
    if not base.is_dir():
        return removed
    for day_dir in sorted(base.iterdir()):
        try:
            day = datetime.date.fromisoformat(day_dir.name)
        except ValueError:
            continue
        if not day_dir.is_dir() or day_dir.is_symlink() or (today - day).days < keep_days:
            continue
        try:
            shutil.rmtree(day_dir)
            removed.append(day_dir)
        except OSError as exc:
            log.warning("hot folder: could not remove old originals %s: %s", day_dir, exc)
    if removed:
        log.info("hot folder: removed %d day folder(s) of imported originals", len(removed))
    return removed


def move_no_overwrite(source: Path, directory: Path, name: str | None = None) -> Path:
    """Move ``source`` into ``directory`` without ever replacing a file; returns the new path.

    Collisions get `` (2)``, `` (3)``... before the extension.
    """
    directory.mkdir(parents=True, exist_ok=True)
    name = name or source.name
    safe_child(directory, name)  # validate once with the original name
    stem, suffix = os.path.splitext(name)
    for n in itertools.count(1):
        candidate = name if n == 1 else f"{stem} ({n}){suffix}"
        target = safe_child(directory, candidate)
        try:
            # link() fails if the target exists: an atomic "create only if absent".
            os.link(source, target)
        except FileExistsError:
            continue
        except OSError:
            # No hard links here (FAT, some SMB servers): check, then rename. On Windows
            # rename itself refuses to overwrite; on POSIX only we write into this folder.
            if target.exists():
                continue
            try:
                os.rename(source, target)
            except FileExistsError:
                continue
            return target
        os.unlink(source)
        return target
    raise AssertionError("unreachable")  # pragma: no cover


@dataclass
class _Seen:
    signature: tuple[int, int]  # (size, mtime_ns)
    since: float  # monotonic time this signature was first seen
    failed: ScanError | None = None  # decode error for this signature, if any


class HotFolderSource:
    """Watch ``folder`` and yield the pages of each new file once it is complete."""

    kind = "hotfolder"

    def __init__(
        self,
        folder: Path | str,
        *,
        settle_seconds: float = 1.5,
        poll_interval: float = 0.5,
        fail_after_seconds: float = 30.0,
        idle_timeout: float | None = None,
        max_pixels: int = imageio.MAX_PIXELS,
        max_bytes: int = imageio.MAX_FILE_BYTES,
        today: Callable[[], datetime.date] = datetime.date.today,
        label: str | None = None,
        keep_imported_days: int | None = KEEP_IMPORTED_DAYS,
    ) -> None:
        self.folder = Path(folder)
        self.keep_imported_days = keep_imported_days
        self.settle_seconds = settle_seconds
        self.poll_interval = poll_interval
        self.fail_after_seconds = fail_after_seconds
        self.idle_timeout = idle_timeout
        self.max_pixels = max_pixels
        self.max_bytes = max_bytes
        self._today = today
        self.name = label or f"Thư mục quét {self.folder}"
        self._seen: dict[str, _Seen] = {}
        self._skipped: set[str] = set()
        # Files whose pages were delivered but which could not be moved (held open by another
        # program): remember them so they are not delivered twice in this session.
        self._delivered: dict[str, tuple[int, int]] = {}
        self.imported: list[Path] = []
        self.failed: list[Path] = []

    def describe(self) -> str:
        """The folder being watched."""
        return f"Thư mục quét: {self.folder}"

    def capabilities(self) -> SourceCapabilities:
        """The scanner decides everything; dpi only matters for PDFs we render."""
        return SourceCapabilities(input_sources=("adf",), dpi_range=(MIN_DPI, 600))

    def close(self) -> None:
        """Nothing held between polls."""

    # ------------------------------------------------------------------------- watching
    def _ignored(self, name: str) -> bool:
        lowered = name.lower()
        return lowered.startswith(_IGNORED_PREFIXES) or lowered.endswith(_IGNORED_SUFFIXES) or lowered in _IGNORED_NAMES

    def ready_files(self, now: float | None = None) -> list[Path]:
        """One poll: update what we have seen and return the files that have settled."""
        now = time.monotonic() if now is None else now
        present: set[str] = set()
        ready: list[tuple[int, str]] = []
        try:
            entries = list(os.scandir(self.folder))
        except FileNotFoundError as exc:
            raise DeviceNotFoundError(
                "Không tìm thấy thư mục nhận bản quét.",
                hint="Hãy kiểm tra ổ mạng/thư mục đã chọn trong Cài đặt còn kết nối.",
                detail=str(exc),
            ) from exc
        except OSError as exc:
            raise DeviceNotFoundError(
                "Không đọc được thư mục nhận bản quét.",
                hint="Hãy kiểm tra kết nối ổ mạng và quyền truy cập thư mục.",
                detail=str(exc),
            ) from exc
        for entry in entries:
            name = entry.name
            # Symlinks are skipped on purpose: they could point outside the folder.
            if self._ignored(name) or not entry.is_file(follow_symlinks=False):
                continue
            if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
                if name not in self._skipped:
                    self._skipped.add(name)
                    log.info("hot folder: ignoring %s (not an image or PDF)", name)
                continue
            try:
                stat = entry.stat(follow_symlinks=False)
            except OSError:
                continue  # vanished between listing and stat
            present.add(name)
            signature = (stat.st_size, stat.st_mtime_ns)
            if self._delivered.get(name) == signature:
                continue
            seen = self._seen.get(name)
            if seen is None or seen.signature != signature:
                self._seen[name] = _Seen(signature, now)
                continue
            if now - seen.since >= self.settle_seconds:
                ready.append((stat.st_mtime_ns, name))
        for gone in set(self._seen) - present:
            del self._seen[gone]
        return [self.folder / name for _, name in sorted(ready)]

    # ------------------------------------------------------------------------- importing
    def pages(self, settings: ScanSettings, cancel: CancelToken) -> Iterator[AcquiredPage]:
        """Poll until cancelled (or ``idle_timeout`` / ``max_pages``) and yield pages of new files."""
        if not self.folder.is_dir():
            raise DeviceNotFoundError(
                "Không tìm thấy thư mục nhận bản quét.",
                hint="Hãy kiểm tra ổ mạng/thư mục đã chọn trong Cài đặt còn kết nối.",
                detail=str(self.folder),
            )
        if self.keep_imported_days is not None:
            purge_imported(self.folder, self.keep_imported_days, self._today())
        counter = itertools.count()
        delivered = 0
        last_activity = time.monotonic()
        while not cancel.cancelled:
            for path in self.ready_files():
                if cancel.cancelled:
                    return
                pages_before = delivered
                for page in self._import(path, settings, counter):
                    yield page
                    delivered += 1
                if delivered > pages_before or path.name not in self._seen:
                    last_activity = time.monotonic()
                if settings.max_pages is not None and delivered >= settings.max_pages:
                    return
            if self._seen:
                last_activity = max(last_activity, max(s.since for s in self._seen.values()))
            if self.idle_timeout is not None and time.monotonic() - last_activity > self.idle_timeout:
                return
            if cancel.wait(self.poll_interval):
                return

    def _import(self, path: Path, settings: ScanSettings, counter: Iterator[int]) -> Iterator[AcquiredPage]:
        seen = self._seen[path.name]
        if seen.failed is not None:
            # Same bytes as when decoding failed: decoding again cannot help. Wait for the
            # writer (the signature would change) or give up after fail_after_seconds.
            if time.monotonic() - seen.since >= self.fail_after_seconds:
                self._move_failed(path, seen.failed)
            return
        try:
            first, count, sha = self._verify(path, settings)
        except PermissionError:
            log.info("hot folder: %s still locked by its writer", path.name)
            seen.since = time.monotonic()
            return
        except ImageError as exc:
            log.info("hot folder: %s not decodable yet: %s", path.name, exc)
            seen.failed = exc
            if time.monotonic() - seen.since >= self.fail_after_seconds:
                self._move_failed(path, exc)
            return
        if not self._unchanged(path, seen):
            return  # written to while we verified: start settling again
        base_meta: dict[str, Any] = {"path": str(path), "file_sha256": sha, "hot_folder": str(self.folder)}
        if count == 1 and first is not None:
            bgr, dpi, meta = first
            yield self._page(bgr, dpi, {**base_meta, **meta}, counter)
        else:
            try:
                for bgr, dpi, meta in iter_file_pages(
                    path, settings, max_pixels=self.max_pixels, max_bytes=self.max_bytes
                ):
                    yield self._page(bgr, dpi, {**base_meta, **meta}, counter)
            except ImageError as exc:
                # Verified a moment ago, so the file changed under us. Pages already handed
                # over stay with the consumer; the file goes aside with an explanation.
                self._move_failed(path, exc)
                return
        self._move_imported(path, seen.signature)

    def _verify(
        self, path: Path, settings: ScanSettings
    ) -> tuple[tuple[np.ndarray, int, dict[str, Any]] | None, int, str]:
        """Decode the whole file once; keep the first page if it is the only one."""
        with path.open("rb"):
            pass  # raises PermissionError while a Windows writer holds the file
        fmt = imageio.sniff_format(imageio.read_head(path)) if path.stat().st_size else None
        # For PDFs a low-resolution render proves every page parses, at a fraction of the cost.
        check_settings = replace(settings, dpi=MIN_DPI) if fmt == "PDF" else settings
        first = None
        count = 0
        for bgr, dpi, meta in iter_file_pages(
            path, check_settings, max_pixels=self.max_pixels, max_bytes=self.max_bytes
        ):
            if count == 0 and fmt != "PDF":
                first = (bgr, dpi, meta)  # PDF pages are re-rendered at the real dpi
            count += 1
        return (first if count == 1 else None), count, file_sha256(path)

    def _unchanged(self, path: Path, seen: _Seen) -> bool:
        try:
            stat = path.stat()
        except OSError:
            return False
        if (stat.st_size, stat.st_mtime_ns) != seen.signature:
            self._seen[path.name] = _Seen((stat.st_size, stat.st_mtime_ns), time.monotonic())
            return False
        return True

    def _page(self, bgr: np.ndarray, dpi: int, meta: dict[str, Any], counter: Iterator[int]) -> AcquiredPage:
        return AcquiredPage(image=bgr, dpi=dpi, index=next(counter), source=f"hotfolder:{self.folder}", meta=meta)

    def _move_imported(self, path: Path, signature: tuple[int, int]) -> None:
        target_dir = self.folder / IMPORTED_DIR / self._today().isoformat()
        try:
            target = move_no_overwrite(path, target_dir)
        except (OSError, UnsafePathError) as exc:
            # Pages are already delivered; not moving is not a loss. Remember the file so it
            # is not delivered twice while the app runs.
            log.warning("hot folder: imported %s but could not move it: %s", path.name, exc)
            self._delivered[path.name] = signature
            return
        self._seen.pop(path.name, None)
        self.imported.append(target)
        log.info("hot folder: imported %s -> %s", path.name, target)

    def _move_failed(self, path: Path, error: ScanError) -> None:
        try:
            target = move_no_overwrite(path, self.folder / FAILED_DIR)
        except (OSError, UnsafePathError) as exc:
            log.warning("hot folder: could not move undecodable %s aside: %s", path.name, exc)
            return
        self._seen.pop(path.name, None)
        self.failed.append(target)
        note = target.with_name(target.name + ".error.txt")
        text = (
            f"Tệp: {path.name}\n"
            f"Thời điểm: {datetime.datetime.now().isoformat(timespec='seconds')}\n"
            f"Lỗi: {error.message}\n"
            f"Cách xử lý: {error.hint or ''}\n"
            "Tệp này chưa được nhập vào hồ sơ. Sau khi sửa, hãy chép tệp trở lại thư mục quét.\n"
            f"Chi tiết kỹ thuật: {error.detail or type(error).__name__}\n"
        )
        try:
            note.write_text(text, encoding="utf-8")
        except OSError as exc:
            log.warning("hot folder: could not write %s: %s", note, exc)
        log.warning("hot folder: %s moved to %s: %s", path.name, target, error)
