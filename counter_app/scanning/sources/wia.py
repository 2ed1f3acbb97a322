"""WIA scanners (Windows Image Acquisition, the in-box Windows driver model) through COM.

**Status: written against Microsoft's WIA Automation documentation, never run** — there is no
Windows scanner here (README, "What has run where"). Only :func:`error_for_hresult` and the
property plan (:func:`wia_properties`) are exercised by tests on Linux.

Uses the WIA Automation Library (``WIA.DeviceManager``, wiaaut.dll, shipped with Windows) through
pywin32's ``win32com.client``; pywin32 is imported only inside the functions, so importing this
module is harmless on Linux. WIA is the fallback: Microsoft's in-box WIA drivers often lose the
feeder or duplex (Avision, Epson, Fujitsu fi reports; some Canon DR models have none), so TWAIN is
preferred when the vendor's driver is installed.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from . import imageio
from .base import (
    AcquiredPage,
    CancelToken,
    CoverOpenError,
    DeviceBusyError,
    DeviceIOError,
    DeviceNotFoundError,
    FeederEmptyError,
    PaperJamError,
    ScanError,
    ScanSettings,
    SourceCapabilities,
    SourceInfo,
    SourceUnavailableError,
    UnsupportedSettingError,
)

log = logging.getLogger(__name__)

__all__ = ["WiaSource", "discover", "error_for_hresult", "wia_properties"]

# WIA property ids (wiadef.h) and values.
WIA_DPS_DOCUMENT_HANDLING_SELECT = 3088
WIA_DPS_PAGES = 3096
WIA_IPS_CUR_INTENT = 6146
WIA_IPS_XRES = 6147
WIA_IPS_YRES = 6148
FEEDER, FLATBED, DUPLEX = 0x001, 0x002, 0x004
INTENT_COLOR, INTENT_GRAY = 0x1, 0x2
WIA_DEVICE_TYPE_SCANNER = 1
FORMAT_BMP = "{B96B3CAB-0728-11D3-9D7B-0000F81EF32E}"

# WIA_ERROR_* HRESULTs (wiadef.h) → what the officer is told.
_HRESULTS: dict[int, type[ScanError]] = {
    0x80210002: PaperJamError,           # WIA_ERROR_PAPER_JAM
    0x80210003: FeederEmptyError,        # WIA_ERROR_PAPER_EMPTY
    0x80210004: PaperJamError,           # WIA_ERROR_PAPER_PROBLEM
    0x80210005: DeviceNotFoundError,     # WIA_ERROR_OFFLINE
    0x80210006: DeviceBusyError,         # WIA_ERROR_BUSY
    0x8021000A: DeviceIOError,           # WIA_ERROR_DEVICE_COMMUNICATION
    0x8021000C: UnsupportedSettingError,  # WIA_ERROR_INCORRECT_HARDWARE_SETTING
    0x8021000D: DeviceBusyError,         # WIA_ERROR_DEVICE_LOCKED
    0x80210016: CoverOpenError,          # WIA_ERROR_COVER_OPEN
}


def error_for_hresult(hresult: int, detail: str = "") -> ScanError:
    """The :class:`ScanError` for a WIA HRESULT (negative Python ints from COM included)."""
    code = hresult & 0xFFFFFFFF
    return _HRESULTS.get(code, DeviceIOError)(detail=f"WIA 0x{code:08X} {detail}".strip())


def wia_properties(settings: ScanSettings) -> dict[int, int]:
    """Property id → value for one scan: paper source, duplex, pages, resolution, colour intent."""
    if settings.source == "flatbed":
        handling = FLATBED
    elif settings.source == "adf_duplex":
        handling = FEEDER | DUPLEX
    else:
        handling = FEEDER
    return {
        WIA_DPS_DOCUMENT_HANDLING_SELECT: handling,
        WIA_DPS_PAGES: 0 if settings.source != "flatbed" and not settings.max_pages else (settings.max_pages or 1),
        WIA_IPS_CUR_INTENT: INTENT_COLOR if settings.color_mode == "color" else INTENT_GRAY,
        WIA_IPS_XRES: settings.dpi,
        WIA_IPS_YRES: settings.dpi,
    }


def _com() -> Any:
    try:
        import win32com.client  # pywin32, Windows only
    except ImportError as exc:
        raise SourceUnavailableError("Máy tính này không hỗ trợ WIA.",
                                     hint="Dùng máy quét qua TWAIN hoặc qua mạng.") from exc
    return win32com.client


def _hresult(exc: BaseException) -> int | None:
    # pywintypes.com_error: args = (hresult, text, excepinfo, argerr); excepinfo[5] holds the WIA code.
    args = getattr(exc, "args", ())
    if len(args) >= 3 and isinstance(args[2], tuple) and len(args[2]) > 5 and args[2][5]:
        return int(args[2][5])
    return int(args[0]) if args and isinstance(args[0], int) else None


def _set(props: Any, pid: int, value: int) -> None:
    for p in props:
        if int(p.PropertyID) == pid:
            p.Value = value
            return


class WiaSource:
    """A WIA scanner (``SourceInfo.address`` = the WIA DeviceID)."""

    def __init__(self, device_id: str, *, label: str | None = None) -> None:
        self.device_id = device_id
        self.name = label or device_id

    def describe(self) -> str:
        """Device name and driver model."""
        return f"{self.name} (WIA)"

    def _connect(self) -> Any:
        client = _com()
        manager = client.Dispatch("WIA.DeviceManager")
        for info in manager.DeviceInfos:
            if info.DeviceID == self.device_id:
                try:
                    return info.Connect()
                except Exception as exc:
                    code = _hresult(exc)
                    raise error_for_hresult(code or 0, str(exc)) from exc
        raise DeviceNotFoundError(detail=self.device_id)

    def capabilities(self) -> SourceCapabilities:
        """What the WIA driver advertises (document handling capabilities, property 3086)."""
        device = self._connect()
        caps = 0
        for p in device.Properties:
            if int(p.PropertyID) == 3086:  # WIA_DPS_DOCUMENT_HANDLING_CAPABILITIES
                caps = int(p.Value)
        inputs = ["flatbed"] if caps & FLATBED or not caps else []
        if caps & FEEDER:
            inputs.append("adf")
            if caps & DUPLEX:
                inputs.append("adf_duplex")
        return SourceCapabilities(input_sources=tuple(inputs), dpis=(150, 200, 300, 600))

    def pages(self, settings: ScanSettings, cancel: CancelToken) -> Iterator[AcquiredPage]:
        """Transfer one image per call of ``Item.Transfer`` until the feeder is empty or cancelled."""
        device = self._connect()
        plan = wia_properties(settings)
        _set(device.Properties, WIA_DPS_DOCUMENT_HANDLING_SELECT, plan[WIA_DPS_DOCUMENT_HANDLING_SELECT])
        _set(device.Properties, WIA_DPS_PAGES, plan[WIA_DPS_PAGES])
        item = device.Items[1]
        for pid in (WIA_IPS_CUR_INTENT, WIA_IPS_XRES, WIA_IPS_YRES):
            _set(item.Properties, pid, plan[pid])
        outdir = Path(tempfile.mkdtemp(prefix="wia-"))
        index = 0
        try:
            while not cancel.cancelled:
                try:
                    image = item.Transfer(FORMAT_BMP)
                except Exception as exc:
                    err = error_for_hresult(_hresult(exc) or 0, str(exc))
                    if isinstance(err, FeederEmptyError) and index > 0:
                        return  # the normal end of a feeder batch
                    raise err from exc
                path = outdir / f"p{index + 1:04d}.bmp"
                image.SaveFile(os.fspath(path))
                frame = imageio.decode_single(path, name=f"trang {index + 1}")
                yield AcquiredPage(image=frame.image, dpi=settings.dpi, index=index, source=f"wia:{self.device_id}",
                                   meta={"driver": "wia"})
                index += 1
                if settings.source == "flatbed" or (settings.max_pages and index >= settings.max_pages):
                    return
        finally:
            shutil.rmtree(outdir, ignore_errors=True)

    def close(self) -> None:
        """Nothing held between calls (each call connects)."""


def discover() -> list[SourceInfo]:
    """WIA scanners Windows knows (empty elsewhere)."""
    try:
        client = _com()
    except SourceUnavailableError:
        return []
    manager = client.Dispatch("WIA.DeviceManager")
    out = []
    for info in manager.DeviceInfos:
        if int(info.Type) != WIA_DEVICE_TYPE_SCANNER:
            continue
        name = next((str(p.Value) for p in info.Properties if p.Name == "Name"), info.DeviceID)
        out.append(SourceInfo(kind="wia", address=str(info.DeviceID), label=name))
    return out
