"""The acquisition interface every scan source implements, its value types and its errors.

Glossary: *source* = anything that produces page images (SANE scanner, eSCL network scanner,
document camera, hot folder, imported files; later TWAIN/WIA on Windows). *Page* = one image of
one side of one sheet, in the order the paper went through the device (Thông tư 01/2023/TT-VPCP
Điều 8: the number of images equals the number of physical pages, in order).

Contract of :meth:`ScanSource.pages`:

* it is a generator that yields each :class:`AcquiredPage` **as soon as** the device has it
  (streaming) so the officer sees page 1 while page 2 is still in the feeder;
* a page that has been yielded belongs to the caller; the source never takes it back. If the
  batch then fails (paper jam), the pages before the jam stay valid and the error is raised
  after them;
* cancellation (:class:`CancelToken`) ends the generator quietly (no exception) after the
  source has told the device to stop;
* every failure the officer can act on is a :class:`ScanError` with a Vietnamese message and a
  hint; anything else is a bug.

Everything here is Qt-free; sources are driven from a worker thread, never the UI thread.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

import numpy as np

from counter_app.errors import CounterError

ColorMode = Literal["color", "gray"]
InputSource = Literal["flatbed", "adf", "adf_duplex"]

COLOR_MODES: tuple[str, ...] = ("color", "gray")
INPUT_SOURCES: tuple[str, ...] = ("flatbed", "adf", "adf_duplex")

# DOMAIN §6: digitised copies need at least 200 dpi; 50..1200 is what office devices offer.
MIN_DPI = 50
MAX_DPI = 1200


# --------------------------------------------------------------------------------------- errors
class ScanError(CounterError):
    """Base of all acquisition errors: Vietnamese message (what happened) + hint (what to do).

    Subclasses carry a default message and hint so call sites only add what is specific.
    ``detail`` keeps the technical text (scanimage stderr, HTTP status) for the log; it is not
    shown to the officer. ``path`` names the file concerned, if any.
    """

    default_message = "Không lấy được ảnh từ nguồn quét."
    default_hint = "Hãy thử lại; nếu vẫn lỗi, báo cho bộ phận kỹ thuật."

    def __init__(
        self,
        message: str | None = None,
        *,
        hint: str | None = None,
        detail: str | None = None,
        path: Path | str | None = None,
    ) -> None:
        super().__init__(message or self.default_message, hint=hint or self.default_hint)
        self.detail = detail
        self.path = Path(path) if path is not None else None

    def __str__(self) -> str:
        text = self.message
        if self.detail:
            text += f" [{self.detail}]"
        return text


class SourceUnavailableError(ScanError):
    """The acquisition tool or driver is missing on this machine (e.g. no ``scanimage``)."""

    default_message = "Máy tính này chưa cài trình điều khiển máy quét cần thiết."
    default_hint = "Hãy cài gói điều khiển máy quét (SANE) hoặc chọn nguồn quét khác."


class DeviceNotFoundError(ScanError):
    """The scanner or camera is not connected, switched off or was renamed."""

    default_message = "Không tìm thấy máy quét/camera đã chọn."
    default_hint = "Hãy kiểm tra máy đã bật và cắm cáp (hoặc cùng mạng), rồi bấm «Tìm lại thiết bị»."


class DeviceBusyError(ScanError):
    """Another program or another officer is using the device."""

    default_message = "Máy quét đang bận (đang được máy khác hoặc chương trình khác sử dụng)."
    default_hint = "Hãy chờ lượt quét kia xong rồi quét lại."


class PaperJamError(ScanError):
    """The document feeder jammed; pages before the jam were already delivered."""

    default_message = "Kẹt giấy trong khay nạp tự động."
    default_hint = "Hãy mở nắp, gỡ tờ bị kẹt, kiểm tra các trang đã nhận và quét lại từ tờ bị kẹt trở đi."


class CoverOpenError(ScanError):
    """The scanner lid or ADF door is open."""

    default_message = "Nắp máy quét hoặc nắp khay nạp giấy đang mở."
    default_hint = "Hãy đóng nắp rồi quét lại."


class FeederEmptyError(ScanError):
    """The ADF was chosen but holds no paper."""

    default_message = "Khay nạp giấy tự động không có giấy."
    default_hint = "Hãy đặt giấy vào khay nạp (mặt cần quét theo hướng dẫn trên máy) hoặc chọn quét mặt kính."


class ScanTimeoutError(ScanError):
    """The device stopped answering in time."""

    default_message = "Máy quét không phản hồi trong thời gian chờ."
    default_hint = "Hãy kiểm tra máy quét (có báo lỗi trên màn hình không), tắt bật lại rồi quét lại."


class ScannerUnreachableError(ScanError):
    """A network scanner cannot be reached over HTTP."""

    default_message = "Không kết nối được máy quét qua mạng."
    default_hint = "Hãy kiểm tra máy quét đã bật, cùng mạng với máy tính và địa chỉ máy quét trong Cài đặt còn đúng."


class DeviceIOError(ScanError):
    """The device reported a failure it did not explain."""

    default_message = "Máy quét báo lỗi trong khi quét."
    default_hint = "Hãy tắt bật lại máy quét rồi quét lại; nếu vẫn lỗi, báo cho bộ phận kỹ thuật."


class UnsupportedSettingError(ScanError, ValueError):
    """The device cannot do what the settings ask (e.g. ADF on a flatbed-only scanner)."""

    default_message = "Máy quét không hỗ trợ thiết lập đã chọn."
    default_hint = "Hãy chọn thiết lập khác (nguồn giấy, độ phân giải, chế độ màu)."


class UnsafePathError(ScanError):
    """A file name would escape the folder it belongs to ("../x", absolute path, device name)."""

    default_message = "Tên tệp không hợp lệ (có thể trỏ ra ngoài thư mục được phép)."
    default_hint = "Hãy đổi tên tệp (chỉ dùng chữ, số, dấu gạch) rồi thử lại."


class ImageError(ScanError):
    """Base for problems with an image file or image bytes; the input is never modified."""

    default_message = "Không đọc được tệp ảnh."
    default_hint = "Hãy quét lại hoặc chọn tệp khác. Tệp gốc vẫn được giữ nguyên."


class EmptyFileError(ImageError):
    """A 0-byte file (often a file a scanner has created but not written yet)."""

    default_message = "Tệp rỗng (0 byte), không có ảnh nào."
    default_hint = "Hãy chờ máy quét ghi xong hoặc quét lại. Tệp gốc vẫn được giữ nguyên."


class UnsupportedFormatError(ImageError):
    """Not one of the formats we accept (JPEG, PNG, TIFF, PDF, and PNM/BMP from drivers)."""

    default_message = "Định dạng tệp không được hỗ trợ."
    default_hint = "Chỉ nhận ảnh JPEG, PNG, TIFF hoặc tệp PDF. Hãy lưu lại đúng định dạng rồi thử lại."


class CorruptImageError(ImageError):
    """The file claims to be an image but cannot be decoded."""

    default_message = "Tệp ảnh bị hỏng, không giải mã được."
    default_hint = "Hãy quét lại trang này hoặc xin bản khác. Tệp gốc vẫn được giữ nguyên."


class TruncatedImageError(CorruptImageError):
    """The file ends early: a half-written or half-copied file."""

    default_message = "Tệp ảnh bị cắt cụt (chưa ghi xong hoặc sao chép dở)."
    default_hint = "Hãy chờ tệp được ghi xong hoặc sao chép lại, rồi thử lại. Tệp gốc vẫn được giữ nguyên."


class ImageTooLargeError(ImageError):
    """More pixels or bytes than any real page scan (decompression-bomb protection)."""

    default_message = "Ảnh quá lớn so với một trang giấy quét (có thể là tệp độc hại hoặc lỗi)."
    default_hint = "Hãy quét lại ở độ phân giải 200–300 dpi. Tệp gốc vẫn được giữ nguyên."


class PasswordProtectedError(ImageError):
    """An encrypted PDF we cannot open without its password."""

    default_message = "Tệp PDF có mật khẩu nên không mở được."
    default_hint = "Hãy xin bản PDF không đặt mật khẩu hoặc in ra rồi quét."


# --------------------------------------------------------------------------------- value types
@dataclass(frozen=True)
class ScanSettings:
    """What the officer asked for. Sources choose the nearest thing the device can do.

    ``page_size_mm`` is (width, height) of the scan area; ``None`` = the device's default /
    full area. ``max_pages`` stops an ADF batch (or a camera / hot folder session) after that
    many pages; ``None`` = until the feeder is empty (flatbed: one page).
    """

    dpi: int = 300
    color_mode: ColorMode = "color"
    source: InputSource = "flatbed"
    page_size_mm: tuple[float, float] | None = (210.0, 297.0)
    max_pages: int | None = None

    def __post_init__(self) -> None:
        if not MIN_DPI <= self.dpi <= MAX_DPI:
            raise UnsupportedSettingError(f"Độ phân giải {self.dpi} dpi nằm ngoài khoảng {MIN_DPI}–{MAX_DPI} dpi.")
        if self.color_mode not in COLOR_MODES:
            raise UnsupportedSettingError(f"Chế độ màu không hợp lệ: {self.color_mode!r}.")
        if self.source not in INPUT_SOURCES:
            raise UnsupportedSettingError(f"Nguồn giấy không hợp lệ: {self.source!r}.")
        if self.page_size_mm is not None and min(self.page_size_mm) <= 0:
            raise UnsupportedSettingError("Khổ giấy phải lớn hơn 0 mm.")
        if self.max_pages is not None and self.max_pages < 1:
            raise UnsupportedSettingError("Số trang tối đa phải từ 1 trở lên.")


@dataclass
class AcquiredPage:
    """One page image as it came from the source.

    ``image`` is always BGR ``uint8`` with 3 channels (OpenCV's convention), whatever the device
    delivered (grey, 16-bit, CMYK, alpha are converted). ``dpi`` is the real resolution when
    known (device setting or file metadata), else an estimate flagged in ``meta``.
    ``index`` counts pages from 0 within one ``pages()`` call. ``source`` names the source
    (``SourceInfo.id`` style). ``meta`` holds source-specific facts (file path, sha256, frame
    number, ``dpi_estimated``...).
    """

    image: np.ndarray
    dpi: int
    index: int
    source: str
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SourceCapabilities:
    """What a source can do, for the settings dialog.

    ``dpis`` lists discrete resolutions; ``dpi_range`` is (min, max) when the device takes any
    value in a range. ``max_area_mm`` is the largest scan area, if known.
    """

    input_sources: tuple[str, ...] = ("flatbed",)
    color_modes: tuple[str, ...] = COLOR_MODES
    dpis: tuple[int, ...] = ()
    dpi_range: tuple[int, int] | None = None
    max_area_mm: tuple[float, float] | None = None
    live_preview: bool = False
    manual_trigger: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)

    def nearest_dpi(self, wanted: int) -> int:
        """The supported resolution closest to ``wanted`` (ties go to the higher one)."""
        if self.dpis:
            return min(self.dpis, key=lambda d: (abs(d - wanted), -d))
        if self.dpi_range:
            low, high = self.dpi_range
            return max(low, min(high, wanted))
        return wanted


@dataclass(frozen=True)
class SourceInfo:
    """A source found by discovery or configured by the user; enough to open it.

    ``kind`` selects the factory in the registry (``sane``, ``escl``, ``camera``,
    ``hotfolder``, ``file``; later ``twain``, ``wia``). ``address`` is kind-specific (SANE
    device name, eSCL base URL, camera index or URL, folder path). ``available`` is False when
    the source is configured but could not be reached right now; ``problem`` then says why in
    Vietnamese.
    """

    kind: str
    address: str
    label: str
    available: bool = True
    problem: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        """Stable identifier, e.g. ``sane:test:0`` or ``escl:http://10.0.0.5/eSCL``."""
        return f"{self.kind}:{self.address}"


class CancelToken:
    """Thread-safe cancellation flag shared between the UI and a running ``pages()`` call.

    Sources check it between pages and while waiting, and use :meth:`wait` instead of
    ``time.sleep`` so a cancel takes effect at once.
    """

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        """Ask the running acquisition to stop as soon as it safely can."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        """True once :meth:`cancel` has been called."""
        return self._event.is_set()

    def wait(self, timeout: float) -> bool:
        """Sleep up to ``timeout`` seconds; return True (early) if cancelled meanwhile."""
        return self._event.wait(max(0.0, timeout))


@runtime_checkable
class ScanSource(Protocol):
    """The one interface every acquisition source implements (see the module docstring)."""

    name: str

    def describe(self) -> str:
        """One line for the officer: make/model or folder, and how it is connected."""
        ...

    def capabilities(self) -> SourceCapabilities:
        """What the device can do (may ask the device; call from a worker thread)."""
        ...

    def pages(self, settings: ScanSettings, cancel: CancelToken) -> Iterator[AcquiredPage]:
        """Yield pages as they arrive; end quietly on cancel; raise :class:`ScanError`."""
        ...

    def close(self) -> None:
        """Release the device (idempotent)."""
        ...


def page_area_mm(settings: ScanSettings, max_area: tuple[float, float] | None) -> tuple[float, float] | None:
    """The scan area to request: the settings' page size clipped to the device's maximum."""
    if settings.page_size_mm is None:
        return None
    width, height = settings.page_size_mm
    if max_area is not None:
        width, height = min(width, max_area[0]), min(height, max_area[1])
    return width, height
