"""Acquisition sources behind one interface (Qt-free).

Usage from a worker thread::

    infos = discover_sources(DiscoveryConfig(escl_urls=["http://10.0.0.5/eSCL"]))
    source = open_source(infos[0])
    cancel = CancelToken()            # the UI keeps it and calls cancel.cancel()
    try:
        for page in source.pages(ScanSettings(dpi=300, source="adf"), cancel):
            pipeline.submit(page)     # each page as soon as the device has it
    except ScanError as exc:
        report(exc.user_message())    # Vietnamese: what happened + what to do
    finally:
        source.close()

Sources: ``sane`` (scanimage), ``escl`` (AirScan over HTTP), ``camera`` (OpenCV),
``hotfolder`` (scan-to-folder), ``file`` (JPEG/PNG/TIFF/PDF import). A new kind (TWAIN or WIA
on Windows) plugs in with :func:`register_source_kind`: a factory that builds a
:class:`ScanSource` from a :class:`SourceInfo`, and optionally a discoverer. See
docs/scanning-sources.md.

Modules are imported lazily by the factories so that importing this package does not load
OpenCV, httpx or PDFium.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .base import (
    AcquiredPage,
    CancelToken,
    CorruptImageError,
    CoverOpenError,
    DeviceBusyError,
    DeviceIOError,
    DeviceNotFoundError,
    EmptyFileError,
    FeederEmptyError,
    ImageError,
    ImageTooLargeError,
    PaperJamError,
    PasswordProtectedError,
    ScanError,
    ScannerUnreachableError,
    ScanSettings,
    ScanSource,
    ScanTimeoutError,
    SourceCapabilities,
    SourceInfo,
    SourceUnavailableError,
    TruncatedImageError,
    UnsafePathError,
    UnsupportedFormatError,
    UnsupportedSettingError,
)

__all__ = [
    "AcquiredPage",
    "CancelToken",
    "CorruptImageError",
    "CoverOpenError",
    "DeviceBusyError",
    "DeviceIOError",
    "DeviceNotFoundError",
    "DiscoveryConfig",
    "EmptyFileError",
    "FeederEmptyError",
    "ImageError",
    "ImageTooLargeError",
    "PaperJamError",
    "PasswordProtectedError",
    "ScanError",
    "ScanSettings",
    "ScanSource",
    "ScanTimeoutError",
    "ScannerUnreachableError",
    "SourceCapabilities",
    "SourceInfo",
    "SourceUnavailableError",
    "TruncatedImageError",
    "UnsafePathError",
    "UnsupportedFormatError",
    "UnsupportedSettingError",
    "discover_sources",
    "open_source",
    "register_source_kind",
    "registered_kinds",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DiscoveryConfig:
    """What discovery should look for, from the app's settings.

    ``escl_urls``: network scanners entered by the officer (mDNS browsing is not built in yet).
    ``hot_folders``: configured scan-to-folder directories. ``camera_probe``: how many camera
    indexes to try on platforms without ``/dev/video*`` (0 = skip cameras). ``sane_env``:
    extra environment for ``scanimage`` (e.g. ``SANE_CONFIG_DIR``).
    """

    sane: bool = True
    sane_env: Mapping[str, str] | None = None
    escl_urls: Sequence[str] = ()
    escl_timeout: float = 3.0
    hot_folders: Sequence[Path | str] = ()
    camera_probe: int = 2
    options: Mapping[str, object] = field(default_factory=dict)


Factory = Callable[[SourceInfo], ScanSource]
Discoverer = Callable[[DiscoveryConfig], list[SourceInfo]]

_FACTORIES: dict[str, Factory] = {}
_DISCOVERERS: dict[str, Discoverer] = {}


def register_source_kind(kind: str, factory: Factory, discover: Discoverer | None = None) -> None:
    """Make a source kind available to :func:`open_source` and :func:`discover_sources`.

    Registering an existing kind replaces it (tests, or a platform-specific implementation).
    """
    _FACTORIES[kind] = factory
    if discover is not None:
        _DISCOVERERS[kind] = discover
    else:
        _DISCOVERERS.pop(kind, None)


def registered_kinds() -> list[str]:
    """Kinds that :func:`open_source` can open."""
    return sorted(_FACTORIES)


def open_source(info: SourceInfo) -> ScanSource:
    """Build the source described by ``info``; raises :class:`SourceUnavailableError`."""
    factory = _FACTORIES.get(info.kind)
    if factory is None:
        raise SourceUnavailableError(
            f"Loại nguồn quét «{info.kind}» chưa được hỗ trợ trên máy này.",
            hint="Hãy chọn máy quét khác hoặc cập nhật ứng dụng.",
        )
    return factory(info)


def discover_sources(config: DiscoveryConfig | None = None) -> list[SourceInfo]:
    """Every source we can find now. Never raises: a failing discoverer is logged and skipped.

    Can take seconds (SANE network backends, unreachable eSCL addresses): call it from a
    worker thread.
    """
    config = config or DiscoveryConfig()
    found: list[SourceInfo] = []
    for kind, discover in list(_DISCOVERERS.items()):
        try:
            found.extend(discover(config))
        except Exception:  # one broken driver must not hide the other sources
            log.exception("discovery of %s sources failed", kind)
    return found


# ----------------------------------------------------------------------- built-in kinds
def _open_sane(info: SourceInfo) -> ScanSource:
    from .sane import SaneSource

    env = info.options.get("env")
    extra = info.options.get("extra_args", ())
    return SaneSource(info.address, env=env, extra_args=extra, label=info.label)


def _discover_sane(config: DiscoveryConfig) -> list[SourceInfo]:
    if not config.sane:
        return []
    from .sane import list_devices

    env = dict(config.sane_env) if config.sane_env else None
    return [
        SourceInfo(kind=i.kind, address=i.address, label=i.label, options={"env": env} if env else {})
        for i in list_devices(env=env)
    ]


def _open_escl(info: SourceInfo) -> ScanSource:
    from .escl import EsclSource

    return EsclSource(info.address, label=info.label)


def _discover_escl(config: DiscoveryConfig) -> list[SourceInfo]:
    from .escl import EsclSource

    found: list[SourceInfo] = []
    for url in config.escl_urls:
        source = EsclSource(url, timeout=config.escl_timeout)
        try:
            source.capabilities()
            found.append(SourceInfo(kind="escl", address=source.base_url, label=source.describe()))
        except ScanError as exc:
            found.append(
                SourceInfo(
                    kind="escl",
                    address=source.base_url,
                    label=f"Máy quét mạng {source.base_url}",
                    available=False,
                    problem=exc.user_message(),
                )
            )
        finally:
            source.close()
    return found


def _open_camera(info: SourceInfo) -> ScanSource:
    from .camera import CameraSource

    device: int | str = int(info.address) if info.address.isdigit() else info.address
    return CameraSource(device, label=info.label)


def _discover_cameras(config: DiscoveryConfig) -> list[SourceInfo]:
    if config.camera_probe <= 0:
        return []
    from .camera import probe_cameras

    return probe_cameras(config.camera_probe)


def _open_hotfolder(info: SourceInfo) -> ScanSource:
    from .hotfolder import HotFolderSource

    return HotFolderSource(Path(info.address), label=info.label)


def _discover_hotfolders(config: DiscoveryConfig) -> list[SourceInfo]:
    found: list[SourceInfo] = []
    for folder in config.hot_folders:
        path = Path(folder)
        ok = path.is_dir()
        found.append(
            SourceInfo(
                kind="hotfolder",
                address=str(path),
                label=f"Thư mục quét {path}",
                available=ok,
                problem=None if ok else "Không tìm thấy thư mục; hãy kiểm tra ổ mạng trong Cài đặt.",
            )
        )
    return found


def _open_files(info: SourceInfo) -> ScanSource:
    from .fileimport import FileImportSource

    paths = info.options.get("paths") or [info.address]
    return FileImportSource([Path(p) for p in paths])


def _open_twain(info: SourceInfo) -> ScanSource:
    from .twain import TwainSource, helper_command

    command = info.options.get("helper") or helper_command()
    if not command:  # no TWAIN helper installed (always the case off Windows unless a test sets one)
        raise SourceUnavailableError(
            "Chưa cài thành phần quét TWAIN trên máy này.",
            hint="Quản trị viên cài bộ quét TWAIN đi kèm phần mềm, hoặc chọn máy quét qua mạng/WIA.")
    return TwainSource(info.address, command, label=info.label)


def _discover_twain(config: DiscoveryConfig) -> list[SourceInfo]:
    # Only when a helper interpreter is configured (COUNTER_APP_TWAIN_HELPER or options["twain_helper"]).
    from .twain import discover, helper_command

    helper = config.options.get("twain_helper")
    return discover(list(helper) if isinstance(helper, (list, tuple)) else helper_command())


def _open_wia(info: SourceInfo) -> ScanSource:
    from .wia import WiaSource

    return WiaSource(info.address, label=info.label)


def _discover_wia(config: DiscoveryConfig) -> list[SourceInfo]:
    import sys

    if sys.platform != "win32":
        return []
    from .wia import discover

    return discover()


register_source_kind("sane", _open_sane, _discover_sane)
register_source_kind("escl", _open_escl, _discover_escl)
register_source_kind("camera", _open_camera, _discover_cameras)
register_source_kind("hotfolder", _open_hotfolder, _discover_hotfolders)
register_source_kind("file", _open_files)
register_source_kind("twain", _open_twain, _discover_twain)  # not yet run on Windows (README)
register_source_kind("wia", _open_wia, _discover_wia)  # not yet run on Windows (README)
