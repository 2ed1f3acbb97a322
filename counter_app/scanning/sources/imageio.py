"""Safe image decoding shared by every source: bytes or file in, BGR ``uint8`` frames out.

Why one function: each source gets image data from somewhere we do not control (a driver, a
network device, a folder anyone can write to, a citizen's USB stick). All of it goes through
:func:`iter_frames`, which

* refuses 0-byte input (:class:`EmptyFileError`) and input above :data:`MAX_FILE_BYTES`;
* decides the format from the content, not the file name (a PNG called ``.jpg`` is fine, a
  ZIP called ``.jpg`` is not) and only lets Pillow try the formats we accept;
* checks the pixel count from the header *before* decoding (:data:`MAX_PIXELS`) and turns
  Pillow's ``DecompressionBombError`` into :class:`ImageTooLargeError`;
* decodes fully and turns "image file is truncated" and friends into
  :class:`TruncatedImageError` / :class:`CorruptImageError`. ``ImageFile.LOAD_TRUNCATED_IMAGES``
  is deliberately left False: a half-written scan must fail, not become a half-grey page;
* converts grey, palette, 16-bit, CMYK and alpha images to 3-channel BGR ``uint8`` and applies
  the EXIF orientation;
* streams multi-page TIFFs one frame at a time (a 100-page TIFF is never held in memory).

PDF pages are rendered in :mod:`.fileimport`; :func:`sniff_format` tells callers when the input
is a PDF.
"""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageFile, ImageOps, ImageSequence, UnidentifiedImageError

from .base import (
    CorruptImageError,
    EmptyFileError,
    ImageError,
    ImageTooLargeError,
    TruncatedImageError,
    UnsupportedFormatError,
)

log = logging.getLogger(__name__)

# An A3 page at 600 dpi is 70 MP; 120 MP leaves room for any real page and stops
# decompression bombs (a 1 kB PNG can claim 50 000 x 50 000 pixels = 7.5 GB of RGB).
MAX_PIXELS = 120_000_000
# A 100-page colour PDF from an office scanner is ~50 MB; 200 MB is generous.
MAX_FILE_BYTES = 200 * 1024 * 1024

# Pillow plugin names we let decode. Everything else is refused before any parser runs.
ACCEPTED_PILLOW_FORMATS: tuple[str, ...] = ("JPEG", "PNG", "TIFF", "PPM", "BMP")

# Resolutions outside this range in file metadata are placeholders written by software (JFIF
# "1:1 aspect", 72/96 "screen" dpi), not the real scan resolution.
_PLAUSIBLE_DPI = (100, 4800)

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"II+\x00", "TIFF"),  # BigTIFF
    (b"MM\x00+", "TIFF"),
    (b"%PDF-", "PDF"),
    (b"BM", "BMP"),
    (b"P4", "PPM"),
    (b"P5", "PPM"),
    (b"P6", "PPM"),
)

_EXTENSIONS: dict[str, str] = {
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".jpe": "JPEG",
    ".png": "PNG",
    ".tif": "TIFF",
    ".tiff": "TIFF",
    ".pdf": "PDF",
    ".bmp": "BMP",
    ".pnm": "PPM",
    ".ppm": "PPM",
    ".pgm": "PPM",
    ".pbm": "PPM",
}

# Formats recognised by their magic bytes that we refuse with a clear message.
_KNOWN_UNSUPPORTED: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "ZIP/DOCX"),
    (b"GIF8", "GIF"),
    (b"\xd0\xcf\x11\xe0", "DOC/XLS"),
    (b"Rar!", "RAR"),
)


@dataclass
class DecodedFrame:
    """One decoded picture. ``dpi`` is None when the file does not state a believable one."""

    image: np.ndarray
    dpi: int | None
    frame_index: int
    format: str
    meta: dict[str, Any] = field(default_factory=dict)


def sniff_format(head: bytes) -> str | None:
    """Format name from the first bytes (``JPEG``, ``PNG``, ``TIFF``, ``PDF``...), or None."""
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    # Some PDF writers put a few bytes (BOM, whitespace) before the header; the spec allows
    # the header within the first 1024 bytes.
    if b"%PDF-" in head[:1024]:
        return "PDF"
    return None


def format_from_extension(path: Path) -> str | None:
    """The format a file name suggests (used only to report mismatches)."""
    return _EXTENSIONS.get(path.suffix.lower())


def read_head(path: Path, size: int = 1024) -> bytes:
    """The first ``size`` bytes of a file."""
    with path.open("rb") as handle:
        return handle.read(size)


def check_file(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> int:
    """Size of ``path`` after the checks every file gets; raises the matching :class:`ImageError`."""
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise ImageError("Không tìm thấy tệp.", detail=str(exc), path=path) from exc
    except OSError as exc:
        raise ImageError(
            "Không đọc được tệp.",
            hint="Hãy kiểm tra quyền truy cập tệp hoặc thư mục rồi thử lại.",
            detail=str(exc),
            path=path,
        ) from exc
    if size == 0:
        raise EmptyFileError(detail=f"{path.name}: 0 byte", path=path)
    if size > max_bytes:
        raise ImageTooLargeError(
            f"Tệp quá lớn ({size / 1024 / 1024:.0f} MB, tối đa {max_bytes / 1024 / 1024:.0f} MB).",
            detail=f"{path.name}: {size} bytes",
            path=path,
        )
    return size


def _refuse_unknown(head: bytes, name: str, path: Path | None) -> None:
    for magic, label in _KNOWN_UNSUPPORTED:
        if head.startswith(magic):
            raise UnsupportedFormatError(f"Tệp «{name}» là tệp {label}, không phải ảnh quét.", detail=label, path=path)
    raise UnsupportedFormatError(
        f"Tệp «{name}» không phải ảnh JPEG, PNG, TIFF hay PDF.", detail=repr(head[:8]), path=path
    )


def pil_to_bgr(im: Image.Image) -> np.ndarray:
    """Convert any Pillow image to a contiguous BGR ``uint8`` array.

    Transparent areas are composited on white (a page with a transparent background would
    otherwise turn black). 16-bit and 32-bit grey are scaled, not clipped.
    """
    mode = im.mode
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        arr = np.asarray(im)
        if mode == "F":
            arr = arr * 255.0 if float(arr.max(initial=0.0)) <= 1.0 else arr
            grey = np.clip(arr, 0, 255).astype(np.uint8)
        elif mode == "I" and int(arr.max(initial=0)) <= 255:
            grey = np.clip(arr, 0, 255).astype(np.uint8)
        else:
            grey = (np.clip(arr.astype(np.int64), 0, 65535) // 257).astype(np.uint8)
        return np.ascontiguousarray(np.repeat(grey[:, :, None], 3, axis=2))
    if mode == "P":
        im = im.convert("RGBA") if "transparency" in im.info else im.convert("RGB")
        mode = im.mode
    if mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = im.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        im = Image.alpha_composite(background, rgba).convert("RGB")
    elif mode == "1" or mode == "L":
        grey = np.asarray(im.convert("L"))
        return np.ascontiguousarray(np.repeat(grey[:, :, None], 3, axis=2))
    elif mode != "RGB":
        # CMYK, YCbCr, LAB, RGBX...: Pillow's converters. (CMYK without ICC is approximate,
        # which is acceptable for documents; scanners deliver RGB anyway.)
        im = im.convert("RGB")
    rgb = np.asarray(im)
    return np.ascontiguousarray(rgb[:, :, ::-1])


def _dpi_of(im: Image.Image) -> int | None:
    dpi = im.info.get("dpi")
    if not dpi:
        return None
    try:
        value = round(float(dpi[0]))
    except (TypeError, ValueError, IndexError):
        return None
    return value if _PLAUSIBLE_DPI[0] <= value <= _PLAUSIBLE_DPI[1] else None


def _check_pixels(size: tuple[int, int], max_pixels: int, name: str, path: Path | None) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise CorruptImageError(f"Tệp «{name}» có kích thước ảnh không hợp lệ.", path=path)
    if width * height > max_pixels:
        raise ImageTooLargeError(
            f"Ảnh «{name}» có {width}×{height} điểm ảnh ({width * height / 1e6:.0f} MP), "
            f"vượt giới hạn {max_pixels / 1e6:.0f} MP của một trang quét.",
            detail=f"{width}x{height}",
            path=path,
        )


def _decode_error(exc: BaseException, name: str, path: Path | None) -> ImageError:
    text = str(exc)
    if isinstance(exc, Image.DecompressionBombError):
        return ImageTooLargeError(detail=text, path=path)
    lowered = text.lower()
    if isinstance(exc, EOFError) or "truncated" in lowered or "premature end" in lowered:
        return TruncatedImageError(f"Tệp «{name}» bị cắt cụt (chưa ghi xong hoặc sao chép dở).", detail=text, path=path)
    return CorruptImageError(f"Tệp «{name}» bị hỏng, không giải mã được.", detail=text, path=path)


def iter_frames(
    data: bytes | Path,
    *,
    name: str | None = None,
    max_pixels: int = MAX_PIXELS,
    max_bytes: int = MAX_FILE_BYTES,
    exif_transpose: bool = True,
) -> Generator[DecodedFrame, None, None]:
    """Decode ``data`` (bytes or a file path) frame by frame into BGR ``uint8``.

    Raises :class:`ImageError` subclasses only; never modifies the input file. A PDF is refused
    here with :class:`UnsupportedFormatError` (callers route PDFs to the renderer first).
    """
    path = data if isinstance(data, Path) else None
    label = name or (path.name if path is not None else "ảnh")
    if path is not None:
        check_file(path, max_bytes=max_bytes)
        head = read_head(path)
    else:
        assert isinstance(data, bytes)
        if not data:
            raise EmptyFileError(detail=f"{label}: 0 byte")
        if len(data) > max_bytes:
            raise ImageTooLargeError(
                f"Dữ liệu ảnh quá lớn ({len(data) / 1024 / 1024:.0f} MB).", detail=f"{len(data)} bytes"
            )
        head = data[:1024]

    fmt = sniff_format(head)
    if fmt is None:
        _refuse_unknown(head, label, path)
    if fmt == "PDF":
        raise UnsupportedFormatError(f"Tệp «{label}» là PDF; cần mở bằng bộ đọc PDF.", path=path)
    meta: dict[str, Any] = {"format": fmt}
    if path is not None:
        expected = format_from_extension(path)
        if expected is not None and expected != fmt:
            # Content wins: phones and scanners mislabel files; we only note it.
            meta["extension_mismatch"] = f"{path.suffix} chứa {fmt}"
            log.info("file %s has extension %s but contains %s", path.name, path.suffix, fmt)

    if ImageFile.LOAD_TRUNCATED_IMAGES:
        # Someone switched Pillow to padding truncated files with grey; a half-written scan
        # would then pass as a page. We cannot override it per image, so at least say so.
        log.warning("PIL.ImageFile.LOAD_TRUNCATED_IMAGES is True: truncated files are not detected")
    with _OpenImage(data, label, path) as im:
        # Only TIFF pages are document pages. Extra frames elsewhere are previews or animation
        # (a phone's MPO JPEG carries a second picture, APNG has frames): take the first only.
        frames = getattr(im, "n_frames", 1) if fmt == "TIFF" else 1
        sequence = ImageSequence.Iterator(im) if fmt == "TIFF" else iter([im])
        for frame_index, frame in enumerate(sequence):
            _check_pixels(frame.size, max_pixels, label, path)
            try:
                frame.load()
                oriented = ImageOps.exif_transpose(frame) if exif_transpose else frame
                bgr = pil_to_bgr(oriented)
            except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError) as exc:
                raise _decode_error(exc, label, path) from exc
            yield DecodedFrame(
                image=bgr,
                dpi=_dpi_of(frame),
                frame_index=frame_index,
                format=str(fmt),
                meta={**meta, "frames": frames},
            )


class _OpenImage:
    """Context manager around ``Image.open`` restricted to our formats, errors translated."""

    def __init__(self, data: bytes | Path, label: str, path: Path | None) -> None:
        self._data = data
        self._label = label
        self._path = path
        self._im: Image.Image | None = None

    def __enter__(self) -> Image.Image:
        source: Any = self._data if isinstance(self._data, Path) else io.BytesIO(self._data)
        try:
            # We enforce MAX_PIXELS ourselves right after open with a clear message, so
            # Pillow's own warning for 89..179 MP (an exception under filterwarnings=error) is
            # noise here. Its hard DecompressionBombError (> 179 MP) still fires and is mapped.
            # catch_warnings is process-wide on 3.11; the only effect on other threads is that
            # they too skip this one warning category for a moment.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                self._im = Image.open(source, formats=list(ACCEPTED_PILLOW_FORMATS))
        except Image.DecompressionBombError as exc:
            raise ImageTooLargeError(detail=str(exc), path=self._path) from exc
        except UnidentifiedImageError as exc:
            # The magic bytes said image, the parser disagrees: a damaged header.
            raise CorruptImageError(
                f"Tệp «{self._label}» bị hỏng phần đầu, không nhận dạng được ảnh.",
                detail=str(exc),
                path=self._path,
            ) from exc
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise _decode_error(exc, self._label, self._path) from exc
        return self._im

    def __exit__(self, *exc: object) -> None:
        if self._im is not None:
            self._im.close()


def decode_single(
    data: bytes | Path, *, name: str | None = None, max_pixels: int = MAX_PIXELS, max_bytes: int = MAX_FILE_BYTES
) -> DecodedFrame:
    """Decode the first frame only (scanner pages, eSCL documents)."""
    frames = iter_frames(data, name=name, max_pixels=max_pixels, max_bytes=max_bytes)
    try:
        return next(frames)
    except StopIteration:
        raise CorruptImageError(f"Tệp «{name or 'ảnh'}» không chứa ảnh nào.") from None
    finally:
        frames.close()  # closes the Pillow file handle now, not at garbage collection
