"""Acquisition sources, tested against real parts.

* SANE: the real ``scanimage`` driving SANE's own ``test`` backend (package ``sane-utils``). We
  point ``SANE_CONFIG_DIR`` at a private ``dll.conf`` that enables only ``test``, so no root
  change to /etc/sane.d is needed and no network backend slows discovery down.
* eSCL: the simulator HTTP server, in a thread and once as a real subprocess.
* Camera: a recorded MJPG video (motion, still page, motion, still page) read by VideoCapture.
* Hot folder: a file written slowly by a background thread, corrupt and 0-byte files.
* Files: real JPEG/PNG/TIFF/PDF files, including corrupt, truncated, 0-byte and bomb-sized ones.

Fixtures live in this file on purpose (tests/scanning/conftest.py belongs to the pipeline).
"""

from __future__ import annotations

import datetime
import hashlib
import io
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from counter_app.scanning.sources import (
    AcquiredPage,
    CancelToken,
    CorruptImageError,
    CoverOpenError,
    DeviceBusyError,
    DeviceIOError,
    DeviceNotFoundError,
    DiscoveryConfig,
    EmptyFileError,
    FeederEmptyError,
    ImageTooLargeError,
    PaperJamError,
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
    discover_sources,
    imageio,
    open_source,
    register_source_kind,
)
from counter_app.scanning.sources.camera import CameraSource, StillnessDetector
from counter_app.scanning.sources.escl import EsclSource, settings_xml
from counter_app.scanning.sources.fileimport import FileImportSource
from counter_app.scanning.sources.hotfolder import HotFolderSource, move_no_overwrite, safe_child
from counter_app.scanning.sources.sane import SaneSource, _status_from_stderr, list_devices, parse_options
from counter_dev.escl_sim import NS_PWG, NS_SCAN, EsclSimulator, SimConfig

ROOT = Path(__file__).resolve().parents[2]


# ================================================================================= helpers
def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def collect(source: ScanSource, settings: ScanSettings, cancel: CancelToken | None = None) -> list[AcquiredPage]:
    return list(source.pages(settings, cancel or CancelToken()))


def assert_vietnamese(error: ScanError) -> None:
    """User-facing text: Vietnamese (has diacritics) and says what to do."""
    text = error.user_message()
    assert any(ord(ch) > 127 for ch in error.message), error.message
    assert error.hint, "every ScanError must tell the officer what to do"
    assert text.startswith(error.message)


def assert_bgr(page: AcquiredPage) -> None:
    assert page.image.dtype == np.uint8
    assert page.image.ndim == 3 and page.image.shape[2] == 3
    assert page.image.flags["C_CONTIGUOUS"]


def jpeg_bytes(
    size: tuple[int, int] = (400, 300), color: tuple[int, int, int] = (20, 120, 220), **save: object
) -> bytes:
    image = Image.new("RGB", size, color)
    # Some texture so truncating the file really cuts image data, not just padding.
    image.paste(Image.effect_noise((size[0] // 2, size[1] // 2), 60).convert("RGB"), (0, 0))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90, **save)
    return buffer.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height`` (a decompression bomb's shape)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ==================================================================================== SANE
@pytest.fixture(scope="module")
def sane_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A private SANE config enabling only the ``test`` backend; skips if it cannot work."""
    if shutil.which("scanimage") is None:
        pytest.skip("scanimage not installed (apt-get install sane-utils)")
    config = tmp_path_factory.mktemp("sane-config")
    (config / "dll.conf").write_text("test\n")
    env = {"SANE_CONFIG_DIR": str(config)}
    listing = subprocess.run(
        ["scanimage", "-L"], capture_output=True, text=True, timeout=30, env={**os.environ, **env}, check=False
    )
    if "test:0" not in listing.stdout:
        pytest.skip(f"SANE test backend not available (libsane1 without 'test'?): {listing.stdout!r}")
    return env


# The test backend's read delay makes each page take ~0.1-0.2 s, so streaming is measurable.
SANE_SLOW = ("--test-picture", "Color pattern", "--read-delay=yes", "--read-delay-duration=50000")
SANE_SMALL = ScanSettings(dpi=75, source="adf", page_size_mm=(40.0, 40.0))


@pytest.mark.sane
def test_sane_discovery_and_capabilities(sane_env: dict[str, str]) -> None:
    infos = discover_sources(DiscoveryConfig(sane_env=sane_env, camera_probe=0))
    sane = [i for i in infos if i.kind == "sane"]
    assert [i.address for i in sane] == ["test:0", "test:1"]
    source = open_source(sane[0])
    caps = source.capabilities()
    assert caps.input_sources == ("flatbed", "adf")
    assert caps.color_modes == ("color", "gray")
    assert caps.dpi_range == (1, 1200)
    assert caps.max_area_mm == (200.0, 200.0)


@pytest.mark.sane
def test_sane_adf_streams_pages_before_the_batch_ends(sane_env: dict[str, str]) -> None:
    source = SaneSource("test:0", exit_grace=1.0, env=sane_env, extra_args=SANE_SLOW)
    start = time.monotonic()
    arrivals: list[float] = []
    pages: list[AcquiredPage] = []
    for page in source.pages(SANE_SMALL, CancelToken()):
        arrivals.append(time.monotonic() - start)
        pages.append(page)
    total = time.monotonic() - start
    # The test backend's feeder holds 10 sheets, then reports "out of documents": normal end.
    assert [p.index for p in pages] == list(range(10))
    # Streamed pages arrive one read-delay apart (~0.2 s each); a batch collected at the end would arrive
    # all at once. Compare arrivals with each other, not with the start: scanimage's own start-up takes
    # 0.2-1.1 s depending on the machine's load, and then several pages may come in one burst.
    assert arrivals[4] < arrivals[-1] - 0.4, (arrivals, total)
    for page in pages:
        assert_bgr(page)
        assert page.dpi == 75
        assert page.image.shape[:2] == (118, 118)  # 40 mm at 75 dpi
        assert page.source == "sane:test:0"


@pytest.mark.sane
def test_sane_flatbed_gray_gives_one_bgr_page(sane_env: dict[str, str]) -> None:
    source = SaneSource("test:0", exit_grace=1.0, env=sane_env, extra_args=("--test-picture", "Color pattern"))
    pages = collect(source, ScanSettings(dpi=100, color_mode="gray", source="flatbed", page_size_mm=(30, 50)))
    assert len(pages) == 1
    assert_bgr(pages[0])
    image = pages[0].image
    assert abs(image.shape[0] - 197) <= 1 and abs(image.shape[1] - 118) <= 1  # backend rounds mm
    assert np.array_equal(image[:, :, 0], image[:, :, 1]) and np.array_equal(image[:, :, 1], image[:, :, 2])


@pytest.mark.sane
def test_sane_max_pages_and_cancel_stop_the_batch(
    sane_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # see where scanimage's batch dir goes
    source = SaneSource("test:0", exit_grace=1.0, env=sane_env, extra_args=SANE_SLOW)
    assert len(collect(source, ScanSettings(dpi=75, source="adf", page_size_mm=(40, 40), max_pages=3))) == 3

    cancel = CancelToken()
    got = []
    start = time.monotonic()
    for page in source.pages(SANE_SMALL, cancel):
        got.append(page)
        cancel.cancel()
    assert len(got) == 1
    assert time.monotonic() - start < 3
    assert source._process is None  # scanimage was stopped and reaped
    assert not list(tmp_path.glob("counter-sane-*")), "temporary batch directory left behind"


@pytest.mark.sane
@pytest.mark.parametrize(
    ("status", "error"),
    [
        ("SANE_STATUS_JAMMED", PaperJamError),
        ("SANE_STATUS_COVER_OPEN", CoverOpenError),
        ("SANE_STATUS_DEVICE_BUSY", DeviceBusyError),
        ("SANE_STATUS_IO_ERROR", DeviceIOError),
        ("SANE_STATUS_NO_DOCS", FeederEmptyError),
    ],
)
def test_sane_device_status_maps_to_scan_errors(sane_env: dict[str, str], status: str, error: type[ScanError]) -> None:
    source = SaneSource("test:0", exit_grace=1.0, env=sane_env, extra_args=("--read-return-value", status))
    with pytest.raises(error) as info:
        collect(source, SANE_SMALL)
    assert_vietnamese(info.value)
    assert info.value.detail  # scanimage's own words, for the log


@pytest.mark.sane
def test_sane_unknown_device_and_missing_program(sane_env: dict[str, str]) -> None:
    with pytest.raises(DeviceNotFoundError) as info:
        collect(SaneSource("nosuch:device", env=sane_env), SANE_SMALL)
    assert_vietnamese(info.value)
    with pytest.raises(SourceUnavailableError) as missing:
        collect(SaneSource("test:0", program="scanimage-not-installed"), SANE_SMALL)
    assert "sane-utils" in (missing.value.hint or "")


@pytest.mark.sane
def test_sane_source_through_sane_airscan_against_the_escl_simulator(tmp_path: Path) -> None:
    """Two independent checks in one: our SANE source drives a real multi-option backend
    (sane-airscan), and a real eSCL client accepts our simulator."""
    if shutil.which("scanimage") is None:
        pytest.skip("scanimage not installed (apt-get install sane-utils)")
    with EsclSimulator(SimConfig(adf_pages=3, page_delay_ms=50)) as sim:
        (tmp_path / "dll.conf").write_text("airscan\n")
        (tmp_path / "airscan.conf").write_text(f'[devices]\n"Sim" = {sim.base_url}\n[options]\ndiscovery = disable\n')
        env = {"SANE_CONFIG_DIR": str(tmp_path)}
        if [i.address for i in list_devices(env=env)] != ["airscan:e0:Sim"]:
            pytest.skip("sane-airscan backend not installed (optional: apt-get install sane-airscan)")
        source = SaneSource("airscan:e0:Sim", env=env, exit_grace=1.0)
        caps = source.capabilities()
        assert caps.input_sources == ("flatbed", "adf", "adf_duplex")
        assert caps.dpis == (75, 100, 150, 200, 300, 600)
        pages = collect(source, ScanSettings(dpi=100, source="adf", page_size_mm=(100, 100)))
        assert len(pages) == 3 and all(abs(p.image.shape[0] - 394) <= 2 for p in pages)
        assert [job.input_source for job in sim.state.jobs.values()] == ["Feeder"]


@pytest.mark.skipif(sys.platform == "win32", reason="uses a /bin/sh stand-in for scanimage")
def test_a_scanimage_that_hangs_after_its_batch_is_killed_and_its_pages_kept(tmp_path: Path) -> None:
    """A stand-in scanimage: writes one page, says "Batch terminated", then never exits."""
    page = tmp_path / "page.pnm"
    Image.new("RGB", (30, 20), (255, 0, 0)).save(page, "PPM")
    fake = tmp_path / "fake-scanimage"
    fake.write_text(
        "#!/bin/sh\n"
        'for a in "$@"; do case "$a" in -A) exit 0;; --batch=*) pattern="${a#--batch=}";; esac; done\n'
        'out=$(printf "$pattern" 1)\n'
        f'cp "{page}" "$out"\n'
        'echo "$out"\n'
        'echo "Scanned page 1. (scanner status = 5)" >&2\n'
        'echo "Batch terminated, 1 page scanned" >&2\n'
        "exec sleep 60\n"
    )
    fake.chmod(0o755)
    source = SaneSource("fake:0", program=str(fake), exit_grace=0.3, page_timeout=20)
    start = time.monotonic()
    pages = collect(source, ScanSettings(dpi=100, source="flatbed", page_size_mm=None))
    assert len(pages) == 1 and pages[0].image[0, 0].tolist() == [0, 0, 255]
    assert time.monotonic() - start < 5


def test_sane_status_recovered_from_the_log_of_a_hung_scanimage() -> None:
    """scanimage sometimes hangs in sane_exit after "Batch terminated"; we kill it and read
    the outcome from its log instead of its exit code."""
    normal_end = (
        "Scanned page 2. (scanner status = 5)\nScanning page 3\n"
        "scanimage: sane_start: Document feeder out of documents\nBatch terminated, 2 pages scanned"
    )
    jam = "Scanning page 1\nscanimage: sane_read: Document feeder jammed\nScanned page 1. (scanner status = 6)"
    empty = "Scanning page 1\nscanimage: sane_start: Document feeder out of documents\nBatch terminated, 0 pages"
    assert _status_from_stderr(normal_end, pages=2) == 0
    assert _status_from_stderr(jam, pages=0) == 6
    assert _status_from_stderr(empty, pages=0) == 7


def test_sane_option_parsing_of_a_real_duplex_scanner() -> None:
    # Excerpt of `scanimage -A` for a Fujitsu fi-series (fujitsu backend).
    text = """All options specific to device `fujitsu:fi-7160:1234':
  Standard:
    --source Flatbed|ADF Front|ADF Back|ADF Duplex [ADF Front]
        Selects the scan source (such as a document-feeder).
    --mode Lineart|Halftone|Gray|Color [Lineart]
        Selects the scan mode (e.g., lineart, monochrome, or color).
    --resolution 50|100|150|200|300|400|600dpi [600]
        Sets the resolution of the scanned image.
  Geometry:
    -l 0..215.872mm (in steps of 0.0211639) [0]
    -x 0..215.872mm (in steps of 0.0211639) [215.872]
    -y 0..355.6mm (in steps of 0.0211639) [279.364]
    --page-width 0..254mm [215.872] [inactive]
"""
    options = parse_options(text)
    assert options["source"].values == ("Flatbed", "ADF Front", "ADF Back", "ADF Duplex")
    assert options["resolution"].values == ("50", "100", "150", "200", "300", "400", "600")
    assert options["x"].range == (0.0, 215.872) and options["x"].unit == "mm"
    assert options["page-width"].inactive
    source = SaneSource("fujitsu:fi-7160:1234")
    source._options = options
    caps = source.capabilities()
    assert caps.input_sources == ("flatbed", "adf", "adf_duplex")
    assert caps.nearest_dpi(250) == 300 and caps.nearest_dpi(1200) == 600
    cmd, dpi = source.build_command(ScanSettings(dpi=280, source="adf_duplex", max_pages=4), Path("/tmp/x"))
    assert dpi == 300
    assert "--source=ADF Duplex" in cmd and "--mode=Color" in cmd and "--batch-count=4" in cmd
    cmd, _ = source.build_command(ScanSettings(source="adf"), Path("/tmp/x"))
    assert "--source=ADF Front" in cmd


# ==================================================================================== eSCL
@pytest.fixture
def escl() -> Iterator[EsclSimulator]:
    with EsclSimulator(SimConfig(adf_pages=4, page_delay_ms=0)) as sim:
        yield sim


@pytest.fixture
def escl_source(escl: EsclSimulator) -> Iterator[EsclSource]:
    source = EsclSource(escl.base_url, busy_retry_seconds=0.3)
    yield source
    source.close()


ESCL_ADF = ScanSettings(dpi=100, source="adf")


def test_escl_request_uses_the_real_namespaces() -> None:
    import xml.etree.ElementTree as ET

    root = ET.fromstring(settings_xml(ScanSettings(dpi=300, source="adf_duplex"), 300, (2480, 3508)))
    assert root.tag == f"{{{NS_SCAN}}}ScanSettings"
    assert root.findtext(f"{{{NS_PWG}}}InputSource") == "Feeder"
    assert root.findtext(f"{{{NS_SCAN}}}Duplex") == "true"
    assert root.findtext(f"{{{NS_SCAN}}}ColorMode") == "RGB24"
    assert root.findtext(f"{{{NS_SCAN}}}XResolution") == "300"
    assert root.findtext(f".//{{{NS_PWG}}}ScanRegion/{{{NS_PWG}}}Width") == "2480"


def test_escl_capabilities(escl_source: EsclSource) -> None:
    caps = escl_source.capabilities()
    assert caps.input_sources == ("flatbed", "adf", "adf_duplex")
    assert caps.dpis == (75, 100, 150, 200, 300, 600)
    assert caps.color_modes == ("color", "gray")
    assert caps.max_area_mm is not None and round(caps.max_area_mm[0]) == 216
    assert "Counter Sim" in escl_source.describe()


def test_escl_adf_streams_each_page_as_it_is_scanned(escl: EsclSimulator, escl_source: EsclSource) -> None:
    escl.config.page_delay_ms = 250
    start = time.monotonic()
    arrivals = []
    pages = []
    for page in escl_source.pages(ESCL_ADF, CancelToken()):
        arrivals.append(time.monotonic() - start)
        pages.append(page)
    total = time.monotonic() - start
    assert [p.index for p in pages] == [0, 1, 2, 3]
    assert arrivals[0] < total / 2, (arrivals, total)
    for page in pages:
        assert_bgr(page)
        assert page.dpi == 100
        assert page.image.shape[:2] == (1169, 826)  # A4 at 100 dpi
    # The page number is drawn as n black blocks at the top right: check the order.
    blocks = [_count_blocks(p.image) for p in pages]
    assert blocks == [1, 2, 3, 4]
    # 503 "not ready" was answered with polling, not treated as an error.
    assert any(status == 503 for _, _, status in escl.state.requests)
    assert not escl.state.deleted  # the job ended by itself (404), nothing to cancel


def _count_blocks(image: np.ndarray) -> int:
    width = image.shape[1]
    margin = max(4, width // 20)
    row = image[int(margin * 2.5), width // 2 : width - margin * 2, 0] < 100
    return int(np.count_nonzero(row[1:] & ~row[:-1]) + (1 if row[0] else 0))


def test_escl_flatbed_gray(escl_source: EsclSource) -> None:
    pages = collect(escl_source, ScanSettings(dpi=150, color_mode="gray", source="flatbed", page_size_mm=(100, 100)))
    assert len(pages) == 1
    assert pages[0].image.shape[:2] == (590, 590)  # 100 mm = 1181/300 in
    assert np.array_equal(pages[0].image[:, :, 0], pages[0].image[:, :, 2])


def test_escl_cancel_and_max_pages_delete_the_job(escl: EsclSimulator, escl_source: EsclSource) -> None:
    cancel = CancelToken()
    got = []
    for page in escl_source.pages(ESCL_ADF, cancel):
        got.append(page)
        cancel.cancel()
    assert len(got) == 1
    assert len(escl.state.deleted) == 1

    assert len(collect(escl_source, ScanSettings(dpi=100, source="adf", max_pages=2))) == 2
    assert len(escl.state.deleted) == 2  # paper left in the feeder: job cancelled on the scanner


def test_escl_jam_keeps_the_pages_before_it(escl: EsclSimulator, escl_source: EsclSource) -> None:
    escl.config.jam_after = 2
    got: list[AcquiredPage] = []
    with pytest.raises(PaperJamError) as info:
        for page in escl_source.pages(ESCL_ADF, CancelToken()):
            got.append(page)
    assert len(got) == 2
    assert_vietnamese(info.value)
    assert "Đã nhận 2 trang đầu" in (info.value.hint or "")


def test_escl_busy_empty_feeder_unsupported(escl: EsclSimulator, escl_source: EsclSource) -> None:
    escl.config.busy = True
    with pytest.raises(DeviceBusyError) as busy:
        collect(escl_source, ESCL_ADF)
    assert_vietnamese(busy.value)
    escl.config.busy = False
    escl.config.adf_empty = True
    with pytest.raises(FeederEmptyError):
        collect(escl_source, ESCL_ADF)
    escl.config.adf_empty = False
    # 1200 dpi is not offered: the client asks for the nearest resolution the device has.
    assert collect(escl_source, ScanSettings(dpi=1200, source="flatbed", page_size_mm=(10, 10)))[0].dpi == 600


def test_escl_oversized_page_is_refused_while_downloading(escl: EsclSimulator) -> None:
    source = EsclSource(escl.base_url, max_page_bytes=2000)
    with pytest.raises(ImageTooLargeError) as info:
        collect(source, ESCL_ADF)
    source.close()
    assert_vietnamese(info.value)
    assert len(escl.state.deleted) == 1  # the job is cancelled on the scanner


def test_escl_unreachable_and_slow_scanner() -> None:
    source = EsclSource(f"http://127.0.0.1:{free_port()}/eSCL", timeout=1.0)
    with pytest.raises(ScannerUnreachableError) as info:
        source.capabilities()
    assert_vietnamese(info.value)
    source.close()

    with EsclSimulator(SimConfig(slow_ms=600)) as sim:
        slow = EsclSource(sim.base_url, timeout=0.2)
        with pytest.raises(ScanTimeoutError):
            slow.capabilities()
        slow.close()


def test_escl_simulator_as_a_subprocess() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "counter_dev.escl_sim", "--port", "0", "--pages", "2", "--page-delay-ms", "50"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        assert line.startswith("READY port="), line
        port = int(line.split("=")[1])
        source = EsclSource(f"http://127.0.0.1:{port}/eSCL")
        pages = collect(source, ScanSettings(dpi=75, source="adf"))
        source.close()
        assert len(pages) == 2
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


# ================================================================================== camera
W, H = 640, 480
DESK = (60, 90, 110)
BLUE, RED = (200, 0, 0), (0, 0, 200)


def _page_frame(x: int, marker: tuple[int, int, int]) -> np.ndarray:
    frame = np.full((H, W, 3), DESK, np.uint8)
    cv2.rectangle(frame, (x, 40), (x + 300, 440), (245, 245, 245), -1)
    for y in range(80, 420, 20):
        cv2.line(frame, (x + 20, y), (x + 280, y), (30, 30, 30), 2)
    cv2.rectangle(frame, (x + 230, 50), (x + 290, 110), marker, -1)
    return frame


@pytest.fixture(scope="module")
def camera_video(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """An MJPG recording: empty desk, sheet A slides in and lies still, swap to B, B leaves."""
    rng = np.random.default_rng(7)
    plan: list[tuple[str, np.ndarray]] = [("desk", np.full((H, W, 3), DESK, np.uint8))] * 8
    plan += [("motion", _page_frame(-300 + i * 70, BLUE)) for i in range(6)]
    plan += [("A", _page_frame(170, BLUE))] * 12
    plan += [("motion", _page_frame(170 + i * 80 if i % 2 else 600 - i * 80, RED)) for i in range(6)]
    plan += [("B", _page_frame(170, RED))] * 12
    plan += [("motion", _page_frame(170 + i * 90, RED)) for i in range(4)]
    path = tmp_path_factory.mktemp("camera") / "session.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (W, H))
    assert writer.isOpened()
    for _, frame in plan:
        noise = rng.normal(0, 2, frame.shape)  # sensor noise: still frames are never identical
        writer.write(np.clip(frame + noise, 0, 255).astype(np.uint8))
    writer.release()
    return path, [label for label, _ in plan]


def test_camera_auto_captures_exactly_the_still_pages(camera_video: tuple[Path, list[str]]) -> None:
    path, labels = camera_video
    previews = []
    source = CameraSource(str(path), still_frames=5, preview_width=320, on_preview=previews.append)
    pages = collect(source, ScanSettings(page_size_mm=(210, 297)))
    source.close()
    assert len(pages) == 2
    assert [labels[p.meta["frame"]] for p in pages] == ["A", "B"]
    markers = [p.image[60:100, 420:440].mean(axis=(0, 1)) for p in pages]
    assert markers[0][0] > 150 and markers[0][2] < 60  # blue marker = sheet A
    assert markers[1][2] > 150 and markers[1][0] < 60  # red marker = sheet B
    assert all(p.meta["trigger"] == "auto" and p.meta["dpi_estimated"] for p in pages)
    assert pages[0].image.shape == (H, W, 3)
    assert len(previews) == len(labels)
    assert all(p.preview.shape == (240, 320, 3) for p in previews)
    assert not any(p.page for p, label in zip(previews, labels, strict=True) if label in ("motion", "desk"))


def test_camera_manual_trigger_and_preview(camera_video: tuple[Path, list[str]]) -> None:
    path, labels = camera_video
    seen: list[int] = []

    def press_capture_on_third_frame(step: object) -> None:
        seen.append(1)
        if len(seen) == 3:
            source.trigger_capture()  # the officer presses "Chụp" while watching the preview

    source = CameraSource(str(path), still_frames=5, on_preview=press_capture_on_third_frame)
    pages = collect(source, ScanSettings(max_pages=1))
    assert len(pages) == 1 and pages[0].meta["trigger"] == "manual" and labels[pages[0].meta["frame"]] == "desk"
    source.close()
    preview = CameraSource(str(path), preview_width=160)
    frames = list(preview.preview_frames(CancelToken()))
    preview.close()
    assert len(frames) == len(labels) and frames[0].shape == (120, 160, 3)


def test_camera_still_scene_is_never_captured_and_missing_camera_errors(tmp_path: Path) -> None:
    detector = StillnessDetector(still_frames=3)
    frame = np.full((120, 160, 3), 128, np.uint8)
    assert not any(detector.update(frame)[1] for _ in range(20))  # nothing moved: not armed
    with pytest.raises(DeviceNotFoundError) as info:
        collect(CameraSource(str(tmp_path / "no-camera.avi")), ScanSettings())
    assert_vietnamese(info.value)


# ============================================================================== hot folder
@pytest.fixture
def today() -> str:
    return datetime.date.today().isoformat()


def _run_hotfolder(source: HotFolderSource, settings: ScanSettings | None = None) -> list[AcquiredPage]:
    return collect(source, settings or ScanSettings(dpi=100))


def test_hotfolder_waits_for_a_slowly_written_file(tmp_path: Path, today: str) -> None:
    data = jpeg_bytes((800, 600), dpi=(300, 300))
    target = tmp_path / "scan0001.jpg"
    finished = threading.Event()
    finish_time: list[float] = []

    def slow_writer() -> None:
        chunks = [data[i : i + len(data) // 8 + 1] for i in range(0, len(data), len(data) // 8 + 1)]
        with target.open("wb") as handle:
            for n, chunk in enumerate(chunks):
                handle.write(chunk)
                handle.flush()
                if n == len(chunks) - 1:
                    finish_time.append(time.monotonic())  # the last write sets the final mtime
                # One pause longer than the settle time: the half-written file looks "settled"
                # and must still not be imported (it does not decode yet).
                time.sleep(0.6 if n == 3 else 0.08)
        finished.set()

    source = HotFolderSource(tmp_path, settle_seconds=0.3, poll_interval=0.05, fail_after_seconds=10, idle_timeout=5)
    writer = threading.Thread(target=slow_writer)
    writer.start()
    cancel = CancelToken()
    pages = []
    for page in source.pages(ScanSettings(dpi=100), cancel):
        pages.append((time.monotonic(), page))
        cancel.cancel()
    writer.join()
    assert finished.is_set() and len(pages) == 1
    arrived, page = pages[0]
    assert arrived >= finish_time[0] + 0.3  # only after the last byte, plus the settle time
    assert page.dpi == 300 and page.image.shape == (600, 800, 3)
    assert page.meta["file_sha256"] == hashlib.sha256(data).hexdigest()
    moved = tmp_path / "imported" / today / "scan0001.jpg"
    assert moved.read_bytes() == data and not target.exists()
    assert not (tmp_path / "failed").exists()


def test_hotfolder_sets_bad_files_aside_with_an_explanation(tmp_path: Path, today: str) -> None:
    (tmp_path / "empty.png").write_bytes(b"")
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0" + os.urandom(2000))
    (tmp_path / "half.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n")
    (tmp_path / "good.png").write_bytes(_png((300, 200)))
    (tmp_path / "scan.jpg.part").write_bytes(b"in progress")  # scanner's temp name: ignored
    (tmp_path / "notes.txt").write_text("not a scan")  # not ours: left alone
    source = HotFolderSource(tmp_path, settle_seconds=0.1, poll_interval=0.05, fail_after_seconds=0.4, idle_timeout=1.0)
    pages = _run_hotfolder(source)
    assert len(pages) == 1 and pages[0].meta["path"].endswith("good.png")
    assert (tmp_path / "imported" / today / "good.png").exists()
    failed = tmp_path / "failed"
    assert sorted(p.name for p in failed.iterdir()) == sorted(
        [f"{n}{s}" for n in ("empty.png", "broken.jpg", "half.pdf") for s in ("", ".error.txt")]
    )
    assert (failed / "empty.png.error.txt").read_text(encoding="utf-8").count("0 byte") >= 1
    note = (failed / "broken.jpg.error.txt").read_text(encoding="utf-8")
    assert "Lỗi:" in note and "Cách xử lý:" in note and ("hỏng" in note or "cắt cụt" in note)
    assert (failed / "broken.jpg").stat().st_size == 2004  # moved intact, nothing lost
    assert (tmp_path / "scan.jpg.part").exists() and (tmp_path / "notes.txt").exists()


def test_hotfolder_half_written_pdf_stays_until_complete(tmp_path: Path, today: str) -> None:
    pdf = _pdf_bytes(pages=3)
    target = tmp_path / "batch.pdf"
    target.write_bytes(pdf[: len(pdf) - 30])  # no %%EOF yet: the scanner is still writing
    source = HotFolderSource(tmp_path, settle_seconds=0.1, poll_interval=0.05, fail_after_seconds=30, idle_timeout=0.6)
    assert _run_hotfolder(source) == []
    assert target.exists() and not (tmp_path / "failed").exists()
    target.write_bytes(pdf)  # the scanner finishes
    pages = _run_hotfolder(source, ScanSettings(dpi=50))
    assert [p.meta["file_page"] for p in pages] == [0, 1, 2]
    assert all(p.dpi == 50 for p in pages)
    assert (tmp_path / "imported" / today / "batch.pdf").read_bytes() == pdf


def test_hotfolder_never_overwrites_and_keeps_a_file_the_consumer_did_not_finish(tmp_path: Path, today: str) -> None:
    dest = tmp_path / "imported" / today
    dest.mkdir(parents=True)
    (dest / "scan.png").write_bytes(b"earlier import")
    (tmp_path / "scan.png").write_bytes(_png((100, 100)))
    source = HotFolderSource(tmp_path, settle_seconds=0.05, poll_interval=0.02, idle_timeout=0.5)
    assert len(_run_hotfolder(source)) == 1
    assert (dest / "scan.png").read_bytes() == b"earlier import"
    assert (dest / "scan (2).png").exists()

    tiff = tmp_path / "two.tif"
    _multipage_tiff(tiff, 2)
    source = HotFolderSource(tmp_path, settle_seconds=0.05, poll_interval=0.02, idle_timeout=0.5)
    stream = source.pages(ScanSettings(), CancelToken())
    next(stream)
    stream.close()  # consumer stops after page 1 of 2 (app closed, crash...)
    assert tiff.exists(), "a file whose pages were not all handed over must stay in the hot folder"


def test_path_traversal_names_are_refused(tmp_path: Path) -> None:
    source = tmp_path / "a.jpg"
    source.write_bytes(b"x")
    for name in (
        "../evil.jpg",
        "..",
        "sub/evil.jpg",
        "..\\evil.jpg",
        "C:evil.jpg",
        "/etc/passwd",
        "CON.jpg",
        "a\x00.jpg",
    ):
        with pytest.raises(UnsafePathError) as info:
            move_no_overwrite(source, tmp_path / "out", name)
        assert_vietnamese(info.value)
    assert source.exists() and not (tmp_path / "evil.jpg").exists()
    assert safe_child(tmp_path, "ok name (2).jpg") == tmp_path / "ok name (2).jpg"
    # Symlinks in the hot folder are not followed (could point anywhere on the disk).
    outside = tmp_path / "outside.png"
    outside.write_bytes(_png((10, 10)))
    folder = tmp_path / "hot"
    folder.mkdir()
    (folder / "link.png").symlink_to(outside)
    assert _run_hotfolder(HotFolderSource(folder, settle_seconds=0.01, poll_interval=0.02, idle_timeout=0.2)) == []
    assert outside.exists()


# =========================================================================== file import
def _png(size: tuple[int, int], mode: str = "RGB", color: object = (0, 128, 255)) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, "PNG")  # type: ignore[arg-type]
    return buffer.getvalue()


def _pdf_bytes(pages: int) -> bytes:
    images = [Image.new("RGB", (210, 297), (255, 255, 255)) for _ in range(pages)]
    for n, image in enumerate(images):
        image.paste((255, 0, 0), (10, 10, 60, 60 + n * 10))
    buffer = io.BytesIO()
    # 210 x 297 px at 25.4 dpi = an A4 page of 210 x 297 mm.
    images[0].save(buffer, "PDF", save_all=True, append_images=images[1:], resolution=25.4)
    return buffer.getvalue()


def _multipage_tiff(path: Path, frames: int, size: tuple[int, int] = (300, 200)) -> None:
    images = [Image.new("L", size, 10 + 20 * n) for n in range(frames)]
    images[0].save(path, save_all=True, append_images=images[1:], compression="tiff_deflate", dpi=(200, 200))


def test_file_import_formats(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° CW to display
    (tmp_path / "phone.jpg").write_bytes(jpeg_bytes((400, 300), exif=exif.tobytes(), dpi=(300, 300)))
    rgba = Image.new("RGBA", (50, 40), (0, 0, 0, 0))
    rgba.paste((255, 0, 0, 255), (0, 0, 10, 10))
    rgba.save(tmp_path / "alpha.png")
    Image.fromarray(np.full((30, 20), 65535, np.uint16)).save(tmp_path / "deep.png")
    Image.new("CMYK", (20, 20), (0, 255, 255, 0)).save(tmp_path / "cmyk.jpg")
    Image.new("P", (20, 20), 3).save(tmp_path / "palette.png")
    (tmp_path / "renamed.jpg").write_bytes(_png((16, 16)))  # a PNG with a .jpg name
    _multipage_tiff(tmp_path / "three.tiff", 3)
    (tmp_path / "doc.pdf").write_bytes(_pdf_bytes(2))
    names = ["phone.jpg", "alpha.png", "deep.png", "cmyk.jpg", "palette.png", "renamed.jpg", "three.tiff", "doc.pdf"]
    pages = collect(FileImportSource([tmp_path / n for n in names]), ScanSettings(dpi=100))
    assert [p.index for p in pages] == list(range(len(pages)))
    for page in pages:
        assert_bgr(page)
    phone, alpha, deep, cmyk, palette, renamed, *rest = pages
    assert phone.image.shape == (400, 300, 3) and phone.dpi == 300 and not phone.meta["dpi_estimated"]
    assert alpha.image[0, 0].tolist() == [0, 0, 255] and alpha.image[-1, -1].tolist() == [255, 255, 255]
    assert deep.image.max() == 255
    assert cmyk.image[5, 5, 2] > 200 and cmyk.image[5, 5, 0] < 60  # red survives CMYK → BGR
    assert palette.image.shape == (20, 20, 3)
    assert renamed.meta["extension_mismatch"] and renamed.image.shape == (16, 16, 3)
    tiff, pdf = rest[:3], rest[3:]
    assert [p.meta["file_page"] for p in tiff] == [0, 1, 2] and all(p.dpi == 200 for p in tiff)
    assert [int(p.image[0, 0, 0]) for p in tiff] == [10, 30, 50]
    assert len(pdf) == 2 and pdf[0].dpi == 100
    assert abs(pdf[0].image.shape[0] - 1169) <= 1 and abs(pdf[0].image.shape[1] - 827) <= 1  # A4 at 100 dpi
    blue, green, red = pdf[0].image[50, 50].tolist()  # Pillow embeds the page as JPEG: roughly red
    assert red > 200 and blue < 60 and green < 60, "red must stay red (BGR order)"
    assert phone.meta["file_sha256"] == sha(tmp_path / "phone.jpg")


def test_multipage_tiff_is_streamed_not_loaded_at_once(tmp_path: Path) -> None:
    path = tmp_path / "big.tif"
    _multipage_tiff(path, 20, size=(1000, 1000))  # 20 pages x 3 MB as BGR
    tracemalloc.start()
    try:
        count = 0
        for page in FileImportSource([path]).pages(ScanSettings(), CancelToken()):
            count += 1
            del page
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 20
    assert peak < 15 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB: frames are being accumulated"


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("empty.jpg", b"", EmptyFileError),
        ("half.jpg", "truncated-jpeg", TruncatedImageError),
        ("half.png", "truncated-png", TruncatedImageError),
        ("garbage.jpg", b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8, CorruptImageError),
        ("header.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, CorruptImageError),
        ("word.jpg", b"PK\x03\x04" + b"\x00" * 100, UnsupportedFormatError),
        ("notes.png", b"hello, this is text", UnsupportedFormatError),
        ("anim.gif", b"GIF89a" + b"\x00" * 50, UnsupportedFormatError),
        ("bomb130.png", "bomb-130", ImageTooLargeError),  # above our 120 MP cap
        ("bomb400.png", "bomb-400", ImageTooLargeError),  # above Pillow's own bomb limit
        ("bad.pdf", b"%PDF-1.4 not really a pdf\n%%EOF\n", CorruptImageError),
        ("cut.pdf", "truncated-pdf", TruncatedImageError),
    ],
)
def test_bad_inputs_give_a_clear_error_and_stay_untouched(
    tmp_path: Path, name: str, content: bytes | str, error: type[ScanError]
) -> None:
    if content == "truncated-jpeg":
        full = jpeg_bytes((600, 400))
        content = full[: len(full) // 2]
    elif content == "truncated-png":
        buffer = io.BytesIO()
        Image.effect_noise((300, 300), 80).save(buffer, "PNG")
        content = buffer.getvalue()[:-200]
    elif content == "bomb-130":
        content = png_header_only(13_000, 10_000)
    elif content == "bomb-400":
        content = png_header_only(20_000, 20_000)
    elif content == "truncated-pdf":
        content = _pdf_bytes(2)[:-40]
    assert isinstance(content, bytes)
    path = tmp_path / name
    path.write_bytes(content)
    start = time.monotonic()
    with pytest.raises(error) as info:
        collect(FileImportSource([path]), ScanSettings(dpi=100))
    assert time.monotonic() - start < 2, "rejection must not decode a bomb"
    assert_vietnamese(info.value)
    assert path.read_bytes() == content, "input file must be left exactly as it was"


def test_file_size_cap_and_partial_batches_lose_nothing(tmp_path: Path) -> None:
    good = tmp_path / "good.png"
    good.write_bytes(_png((40, 40)))
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"")
    got = []
    with pytest.raises(EmptyFileError):
        for page in FileImportSource([good, bad]).pages(ScanSettings(), CancelToken()):
            got.append(page)
    assert len(got) == 1 and good.exists() and bad.exists()
    with pytest.raises(ImageTooLargeError) as info:
        collect(FileImportSource([good], max_bytes=100), ScanSettings())
    assert "MB" in info.value.message
    with pytest.raises(ImageTooLargeError):
        imageio.decode_single(good.read_bytes(), max_pixels=1000)


# ================================================================ interface and registry
def test_every_source_implements_the_interface(tmp_path: Path, escl: EsclSimulator) -> None:
    sources: list[ScanSource] = [
        SaneSource("test:0"),
        EsclSource(escl.base_url),
        CameraSource(0),
        HotFolderSource(tmp_path),
        FileImportSource([]),
    ]
    for source in sources:
        assert isinstance(source, ScanSource)
        assert source.describe()
        source.close()
    escl_source = EsclSource(escl.base_url)
    assert isinstance(escl_source.capabilities(), SourceCapabilities)
    escl_source.close()


def test_discovery_never_raises_and_plugins_register(tmp_path: Path, escl: EsclSimulator) -> None:
    dead = f"http://127.0.0.1:{free_port()}/eSCL"
    infos = discover_sources(
        DiscoveryConfig(
            sane=False,
            escl_urls=[escl.base_url, dead],
            escl_timeout=1.0,
            hot_folders=[tmp_path, tmp_path / "missing"],
            camera_probe=0,
        )
    )
    by_id = {i.id: i for i in infos}
    assert by_id[f"escl:{escl.base_url}"].available
    assert not by_id[f"escl:{dead}"].available and by_id[f"escl:{dead}"].problem
    assert by_id[f"hotfolder:{tmp_path}"].available and not by_id[f"hotfolder:{tmp_path / 'missing'}"].available
    escl_source = open_source(by_id[f"escl:{escl.base_url}"])
    assert len(collect(escl_source, ScanSettings(dpi=75, source="flatbed", page_size_mm=(50, 50)))) == 1
    escl_source.close()

    with pytest.raises(SourceUnavailableError):
        open_source(SourceInfo(kind="twain", address="Canon DR-C225", label="Canon"))

    class FakeTwain:
        """What a Windows TWAIN adapter would look like to the rest of the app."""

        name = "TWAIN fake"

        def describe(self) -> str:
            return self.name

        def capabilities(self) -> SourceCapabilities:
            return SourceCapabilities(input_sources=("adf",))

        def pages(self, settings: ScanSettings, cancel: CancelToken) -> Iterator[AcquiredPage]:
            yield AcquiredPage(np.zeros((4, 4, 3), np.uint8), settings.dpi, 0, "twain:fake")

        def close(self) -> None:
            pass

    import counter_app.scanning.sources as registry

    # The real TWAIN kind is registered too (sources/twain.py): stand a fake in for it, then put it back.
    saved = registry._FACTORIES.get("twain"), registry._DISCOVERERS.get("twain")
    register_source_kind(
        "twain",
        lambda info: FakeTwain(),
        lambda config: [SourceInfo(kind="twain", address="fake", label="TWAIN fake")],
    )
    try:
        found = [i for i in discover_sources(DiscoveryConfig(sane=False, camera_probe=0)) if i.kind == "twain"]
        assert len(found) == 1 and len(collect(open_source(found[0]), ScanSettings())) == 1
    finally:
        for table, value in zip((registry._FACTORIES, registry._DISCOVERERS), saved, strict=True):
            if value is None:
                table.pop("twain", None)
            else:
                table["twain"] = value
    assert (registry._FACTORIES.get("twain"), registry._DISCOVERERS.get("twain")) == saved


def test_settings_validation_and_cancel_token() -> None:
    for bad in ({"dpi": 10}, {"color_mode": "lineart"}, {"source": "film"}, {"max_pages": 0}, {"page_size_mm": (0, 1)}):
        with pytest.raises(UnsupportedSettingError):
            ScanSettings(**bad)  # type: ignore[arg-type]
    token = CancelToken()
    assert not token.cancelled and not token.wait(0.01)
    token.cancel()
    assert token.cancelled and token.wait(5)


def test_importing_the_package_loads_no_heavy_modules() -> None:
    code = (
        "import sys, counter_app.scanning.sources\n"
        "print(','.join(m for m in ('cv2', 'httpx', 'pypdfium2', 'PySide6') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""


def test_hotfolder_deletes_day_folders_of_old_originals_when_it_starts(tmp_path: Path) -> None:
    """Plain originals of citizens' papers do not pile up outside the encrypted archive."""
    day = datetime.date(2026, 11, 23)
    imported = tmp_path / "imported"
    for d in ("2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23"):
        (imported / d).mkdir(parents=True)
        (imported / d / "scan.jpg").write_bytes(jpeg_bytes((80, 60)))
    (imported / "ghi-chu").mkdir()  # not a day folder of ours: left alone
    (tmp_path / "failed").mkdir()
    (tmp_path / "failed" / "bad.jpg").write_bytes(b"x")
    source = HotFolderSource(tmp_path, settle_seconds=0.05, poll_interval=0.02, idle_timeout=0.2, today=lambda: day)
    _run_hotfolder(source)
    assert sorted(p.name for p in imported.iterdir()) == ["2026-11-22", "2026-11-23", "ghi-chu"]
    assert (tmp_path / "failed" / "bad.jpg").exists()
    kept = HotFolderSource(tmp_path, idle_timeout=0.2, today=lambda: day + datetime.timedelta(days=30),
                           keep_imported_days=None)  # the admin turned purging off
    _run_hotfolder(kept)
    assert (imported / "2026-11-22").exists()
