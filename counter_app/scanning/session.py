"""A scanning session: the pages of one dossier between the scanner and the signed PDFs.

Qt-free; the scan station UI drives it from worker threads. Memory stays flat however long the
batch: every page is written to the session folder as soon as it arrives (originals and processed
images as high-quality JPEG) and only a small thumbnail is kept in memory. A manifest (written
atomically after every change) lets a session that was interrupted by a crash or power cut be
reopened with all its pages: nothing scanned is lost before it is saved as a signed PDF.
"""

from __future__ import annotations

import json
import logging
import shutil
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from counter_app import vault
from counter_app.atomicio import atomic_write_bytes
from counter_app.errors import ValidationError

log = logging.getLogger(__name__)

THUMB_SIDE = 220
JPEG_KEEP = [cv2.IMWRITE_JPEG_QUALITY, 95]


@dataclass
class ScanPage:
    """One page: where its images are, what the pipeline found, which component it belongs to."""

    uid: str
    dpi: int
    source: str = ""
    state: str = "pending"  # pending | processed | failed
    component_id: int | None = None
    blank: bool = False
    skew_deg: float = 0.0
    orientation: int = 0
    quad: list[list[float]] | None = None
    manual_quad: list[list[float]] | None = None
    extra_rotation: int = 0  # officer's rotation (clockwise degrees) applied after processing
    warnings: list[str] = field(default_factory=list)
    error: str = ""
    dpi_estimated: bool = False  # the source stated no believable dpi (``dpi`` is a default)
    source_dpi: int = 0  # the dpi as acquired (0 = ``dpi``); ``dpi`` becomes the inferred one
    dpi_rule: str = ""  # how the pipeline set the page's dpi (PageResult.dpi_rule)

    def to_json(self) -> dict[str, Any]:
        """Manifest form."""
        return asdict(self)


def _write_jpeg(path: Path, image: np.ndarray, root: Path | None) -> None:
    ok, buf = cv2.imencode(".jpg", image, JPEG_KEEP)
    if not ok:
        raise ValidationError("Không ghi được ảnh trang quét.")
    if root is None:
        atomic_write_bytes(path, buf.tobytes())
    else:  # pages of citizens' papers wait here until saved: encrypted like the archive
        vault.store(root, path.relative_to(root), buf.tobytes())


def _read(path: Path, root: Path | None) -> np.ndarray:
    data = path.read_bytes() if root is None else vault.load(root, path.relative_to(root))
    img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if img is None:
        raise ValidationError(f"Không đọc được ảnh trang {path.name}.")
    return img


def thumbnail(image: np.ndarray, side: int = THUMB_SIDE) -> np.ndarray:
    """A small BGR copy for the page strip."""
    h, w = image.shape[:2]
    s = side / max(h, w)
    return cv2.resize(image, (max(1, int(w * s)), max(1, int(h * s))), interpolation=cv2.INTER_AREA)


def warp_to_quad(image: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """Perspective-correct the region inside ``quad`` (TL, TR, BR, BL) to a rectangle."""
    tl, tr, br, bl = quad.astype(np.float32)
    w = int(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)) + 0.5)
    h = int(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)) + 0.5)
    if w < 16 or h < 16:
        raise ValidationError("Vùng trang quá nhỏ; kéo lại bốn góc cho đúng mép giấy.")
    dst = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], np.float32)
    m = cv2.getPerspectiveTransform(quad.astype(np.float32), dst)
    return cv2.warpPerspective(image, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def _rotate(image: np.ndarray, degrees: int) -> np.ndarray:
    k = (degrees // 90) % 4
    codes = {1: cv2.ROTATE_90_CLOCKWISE, 2: cv2.ROTATE_180, 3: cv2.ROTATE_90_COUNTERCLOCKWISE}
    return image if k == 0 else cv2.rotate(image, codes[k])


class ScanSession:
    """Pages of one dossier, persisted in ``folder`` with a manifest."""

    def __init__(self, folder: Path, dossier_id: int | None = None,
                 process: Callable[..., Any] | None = None) -> None:
        self.folder = folder.resolve()
        self.folder.mkdir(parents=True, exist_ok=True)
        self._root = vault.find_root(self.folder)  # None outside a data directory (tests, tools)
        self.dossier_id = dossier_id
        self.pages: list[ScanPage] = []
        self.thumbs: dict[str, np.ndarray] = {}
        self._lock = threading.RLock()  # acquisition and processing threads both touch the list
        self._process = process

    # -------------------------------------------------------------------- persistence
    def _original(self, uid: str) -> Path:
        return self.folder / f"{uid}.orig.jpg"

    def _processed(self, uid: str) -> Path:
        return self.folder / f"{uid}.proc.jpg"

    def save_manifest(self) -> None:
        """Write the page list atomically (called after every change)."""
        with self._lock:
            data = {"dossier_id": self.dossier_id, "pages": [p.to_json() for p in self.pages]}
        atomic_write_bytes(self.folder / "manifest.json", json.dumps(data, ensure_ascii=False).encode())

    @classmethod
    def reopen(cls, folder: Path, process: Callable[..., Any] | None = None) -> ScanSession:
        """Reopen an interrupted session with every page that reached the disk."""
        data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        s = cls(folder, data.get("dossier_id"), process)
        for raw in data["pages"]:
            page = ScanPage(**raw)
            if not s._original(page.uid).exists():
                continue
            s.pages.append(page)
            src = s._processed(page.uid) if page.state == "processed" else s._original(page.uid)
            if src.exists():
                s.thumbs[page.uid] = thumbnail(_read(src, s._root))
        return s

    # -------------------------------------------------------------------- pages in
    def add(self, image: np.ndarray, dpi: int, source: str = "", replace_uid: str | None = None,
            dpi_estimated: bool = False) -> ScanPage:
        """Store an acquired page on disk first, then list it (or put it in place of a rescanned one).

        ``dpi_estimated``: the source had no believable dpi (a phone photo, a TIFF without one);
        the pipeline then infers the page's physical size.
        """
        page = ScanPage(uid=uuid.uuid4().hex, dpi=int(dpi), source=source, dpi_estimated=bool(dpi_estimated),
                        source_dpi=int(dpi))
        _write_jpeg(self._original(page.uid), image, self._root)
        with self._lock:
            if replace_uid is not None:
                i = self.index(replace_uid)
                page.component_id = self.pages[i].component_id
                self._drop_files(self.pages[i].uid)
                self.pages[i] = page
            else:
                self.pages.append(page)
            self.thumbs[page.uid] = thumbnail(image)
        self.save_manifest()
        return page

    def process(self, uid: str, options: Any = None) -> ScanPage:
        """Run the page pipeline (heavy: call from a worker) and keep the processed image."""
        if self._process is None:
            from counter_app.scanning.pipeline import process_page

            self._process = process_page
        page = self.get(uid)
        original = _read(self._original(uid), self._root)
        try:
            if page.manual_quad is not None:
                # The officer's corners win: crop to them, then let the pipeline straighten the rest.
                original = warp_to_quad(original, np.array(page.manual_quad, np.float32))
            result = self._process(original, page.source_dpi or page.dpi, options,
                                   dpi_trusted=not page.dpi_estimated)
        except Exception as exc:
            log.warning("processing failed for page %s: %s", uid, exc)
            with self._lock:
                page.state, page.error = "failed", str(exc)
            self.save_manifest()
            return page
        image = _rotate(result.image, page.extra_rotation)
        _write_jpeg(self._processed(uid), image, self._root)
        with self._lock:
            page.state = "processed"
            page.blank = bool(result.blank)
            page.skew_deg = float(result.skew_deg)
            page.orientation = int(result.orientation)
            page.quad = None if result.quad is None else np.asarray(result.quad, float).tolist()
            page.warnings = list(result.warnings)
            page.error = ""
            # The PDF page takes its physical size from ``dpi`` (TT 01/2023, 100 % scale).
            page.dpi = max(1, round(float(getattr(result, "effective_dpi", 0) or page.dpi)))
            page.dpi_rule = str(getattr(result, "dpi_rule", ""))
            self.thumbs[uid] = thumbnail(image)
        self.save_manifest()
        return page

    # -------------------------------------------------------------------- editing
    def get(self, uid: str) -> ScanPage:
        """The page with ``uid``."""
        with self._lock:
            return self.pages[self.index(uid)]

    def index(self, uid: str) -> int:
        """Position of ``uid`` in the batch."""
        with self._lock:
            for i, p in enumerate(self.pages):
                if p.uid == uid:
                    return i
        raise KeyError(uid)

    def move(self, uid: str, new_index: int) -> None:
        """Reorder (drag in the page strip)."""
        with self._lock:
            page = self.pages.pop(self.index(uid))
            self.pages.insert(max(0, min(new_index, len(self.pages))), page)
        self.save_manifest()

    def reorder(self, uids: Sequence[str]) -> None:
        """Adopt the order the view shows after a drag."""
        with self._lock:
            by_uid = {p.uid: p for p in self.pages}
            if set(uids) != set(by_uid):
                raise ValueError("reorder must name every page exactly once")
            self.pages = [by_uid[u] for u in uids]
        self.save_manifest()

    def delete(self, uid: str) -> None:
        """Remove a page and its files."""
        with self._lock:
            self.pages.pop(self.index(uid))
            self.thumbs.pop(uid, None)
        self._drop_files(uid)
        self.save_manifest()

    def rotate(self, uid: str, degrees: int) -> None:
        """Turn a processed page by a multiple of 90° (the officer knows better than the detector)."""
        page = self.get(uid)
        path = self._processed(uid) if page.state == "processed" else self._original(uid)
        image = _rotate(_read(path, self._root), degrees)
        _write_jpeg(path, image, self._root)
        with self._lock:
            page.extra_rotation = (page.extra_rotation + degrees) % 360
            # The officer has decided which way is up: the detector's doubt no longer applies.
            page.warnings = [w for w in page.warnings if w != "orientation_unsure"]
            self.thumbs[uid] = thumbnail(image)
        self.save_manifest()

    def set_manual_quad(self, uid: str, quad: Sequence[Sequence[float]]) -> None:
        """Corners adjusted by hand (TL, TR, BR, BL in original pixels); reprocess afterwards."""
        q = np.asarray(quad, float)
        if q.shape != (4, 2):
            raise ValidationError("Cần đúng 4 góc trang.")
        with self._lock:
            self.get(uid).manual_quad = q.tolist()
        self.save_manifest()

    def assign(self, uids: Sequence[str], component_id: int | None) -> None:
        """Put pages into a component's PDF."""
        with self._lock:
            for u in uids:
                self.get(u).component_id = component_id
        self.save_manifest()

    def split_at_blank_separators(self, component_ids: Sequence[int]) -> int:
        """Assign runs of pages separated by blank sheets to components in order; return groups found.

        The officer slips a blank sheet between components in the feeder; blank back sides inside a
        component are dropped the same way. Blank pages are excluded from every component.
        """
        groups: list[list[ScanPage]] = [[]]
        with self._lock:
            for p in self.pages:
                if p.blank:
                    if groups[-1]:
                        groups.append([])
                    continue
                groups[-1].append(p)
            groups = [g for g in groups if g]
            for i, g in enumerate(groups):
                cid = component_ids[i] if i < len(component_ids) else None
                for p in g:
                    p.component_id = cid
            for p in self.pages:
                if p.blank:
                    p.component_id = None
        self.save_manifest()
        return len(groups)

    # -------------------------------------------------------------------- pages out
    def images(self, uid: str, processed: bool = True) -> np.ndarray:
        """Full-resolution image of a page (processed if available)."""
        page = self.get(uid)
        if processed and page.state == "processed":
            return _read(self._processed(uid), self._root)
        return _read(self._original(uid), self._root)

    def component_pages(self, component_id: int) -> list[ScanPage]:
        """Non-blank pages assigned to a component, in batch order."""
        with self._lock:
            return [p for p in self.pages if p.component_id == component_id and not p.blank]

    def _drop_files(self, uid: str) -> None:
        for path in (self._original(uid), self._processed(uid)):
            path.unlink(missing_ok=True)

    def discard(self) -> None:
        """Remove the session folder (after its PDFs are saved, or on the officer's explicit cancel)."""
        shutil.rmtree(self.folder, ignore_errors=True)
