"""eSCL ("AirScan", Mopria scan) network scanners over HTTP — works on every OS, no driver.

Protocol (the same exchange sane-airscan and Apple's Image Capture use):

1. ``GET {base}/ScannerCapabilities`` → sources (Platen, Adf simplex/duplex), resolutions,
   colour modes, maximum area (in 1/300 inch).
2. ``POST {base}/ScanJobs`` with a ``scan:ScanSettings`` document → ``201 Created`` and a
   ``Location`` header naming the job. ``503`` = busy (we retry briefly).
3. ``GET {job}/NextDocument`` repeatedly: ``200`` = one page (yield it at once), ``404`` = no
   more pages (end of the ADF batch), ``503`` = page not ready yet (poll again with a small
   backoff). Anything else: we read ``ScannerStatus`` to tell a jam or open cover from a
   generic failure.
4. ``DELETE {job}`` on cancel, or when ``max_pages`` is reached with paper left in the feeder.

We always ask for ``image/jpeg``: one page per document, so pages stream; PDF from the device
would arrive only after the whole batch.

TLS: scanners ship self-signed certificates and cannot be given real ones, so certificate
verification is off by default for ``https://`` (as in sane-airscan); traffic stays on the LAN.
"""

from __future__ import annotations

import logging
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

import httpx

from . import imageio
from .base import (
    AcquiredPage,
    CancelToken,
    CoverOpenError,
    DeviceBusyError,
    DeviceIOError,
    DeviceNotFoundError,
    FeederEmptyError,
    ImageTooLargeError,
    PaperJamError,
    ScanError,
    ScannerUnreachableError,
    ScanSettings,
    ScanTimeoutError,
    SourceCapabilities,
    UnsupportedSettingError,
    page_area_mm,
)

log = logging.getLogger(__name__)

NS_SCAN = "http://schemas.hp.com/imaging/escl/2011/05/03"
NS_PWG = "http://www.pwg.org/schemas/2010/12/sm"
_NS = {"scan": NS_SCAN, "pwg": NS_PWG}

_ESCL_SOURCE = {"flatbed": "Platen", "adf": "Feeder", "adf_duplex": "Feeder"}
_ESCL_COLOR = {"color": "RGB24", "gray": "Grayscale8"}
_CAPS_TAG = {"flatbed": "PlatenInputCaps", "adf": "AdfSimplexInputCaps", "adf_duplex": "AdfDuplexInputCaps"}
# XML answers are a few kB; anything bigger is not a scanner talking.
_MAX_XML_BYTES = 2 * 1024 * 1024
_BUSY_RETRY_SECONDS = 5.0


def _mm_to_300ths(mm: float) -> int:
    return round(mm / 25.4 * 300)


def settings_xml(settings: ScanSettings, dpi: int, area_300: tuple[int, int] | None) -> bytes:
    """The ``scan:ScanSettings`` request body for one job."""
    root = ET.Element(f"{{{NS_SCAN}}}ScanSettings")
    ET.SubElement(root, f"{{{NS_PWG}}}Version").text = "2.0"
    if area_300 is not None:
        regions = ET.SubElement(root, f"{{{NS_PWG}}}ScanRegions")
        region = ET.SubElement(regions, f"{{{NS_PWG}}}ScanRegion")
        ET.SubElement(region, f"{{{NS_PWG}}}ContentRegionUnits").text = "escl:ThreeHundredthsOfInches"
        ET.SubElement(region, f"{{{NS_PWG}}}XOffset").text = "0"
        ET.SubElement(region, f"{{{NS_PWG}}}YOffset").text = "0"
        ET.SubElement(region, f"{{{NS_PWG}}}Width").text = str(area_300[0])
        ET.SubElement(region, f"{{{NS_PWG}}}Height").text = str(area_300[1])
    ET.SubElement(root, f"{{{NS_PWG}}}InputSource").text = _ESCL_SOURCE[settings.source]
    ET.SubElement(root, f"{{{NS_SCAN}}}ColorMode").text = _ESCL_COLOR[settings.color_mode]
    ET.SubElement(root, f"{{{NS_PWG}}}DocumentFormat").text = "image/jpeg"
    ET.SubElement(root, f"{{{NS_SCAN}}}DocumentFormatExt").text = "image/jpeg"
    ET.SubElement(root, f"{{{NS_SCAN}}}XResolution").text = str(dpi)
    ET.SubElement(root, f"{{{NS_SCAN}}}YResolution").text = str(dpi)
    if settings.source != "flatbed":
        ET.SubElement(root, f"{{{NS_SCAN}}}Duplex").text = "true" if settings.source == "adf_duplex" else "false"
    ET.register_namespace("scan", NS_SCAN)
    ET.register_namespace("pwg", NS_PWG)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def parse_capabilities(xml: bytes) -> tuple[str, SourceCapabilities]:
    """``(make_and_model, capabilities)`` from a ``ScannerCapabilities`` document."""
    root = _parse_xml(xml, "ScannerCapabilities")
    model = (root.findtext("pwg:MakeAndModel", default="", namespaces=_NS) or "").strip()
    inputs: list[str] = []
    dpis: set[int] = set()
    modes: set[str] = set()
    max_w = max_h = 0
    for kind, tag in _CAPS_TAG.items():
        node = root.find(f".//scan:{tag}", _NS)
        if node is None:
            continue
        inputs.append(kind)
        for res in node.iterfind(".//scan:DiscreteResolution/scan:XResolution", _NS):
            if res.text and res.text.strip().isdigit():
                dpis.add(int(res.text))
        for mode in node.iterfind(".//scan:ColorMode", _NS):
            if mode.text:
                modes.add(mode.text.strip())
        max_w = max(max_w, int(node.findtext("scan:MaxWidth", default="0", namespaces=_NS) or 0))
        max_h = max(max_h, int(node.findtext("scan:MaxHeight", default="0", namespaces=_NS) or 0))
    if not inputs:
        raise DeviceIOError("Máy quét mạng không báo nguồn giấy nào.", detail="no Platen/Adf in capabilities")
    color_modes = tuple(k for k, v in _ESCL_COLOR.items() if v in modes) or ("color",)
    area = (max_w / 300 * 25.4, max_h / 300 * 25.4) if max_w and max_h else None
    return model, SourceCapabilities(
        input_sources=tuple(inputs),
        color_modes=color_modes,
        dpis=tuple(sorted(dpis)),
        max_area_mm=area,
        extra={"max_300ths": (max_w, max_h)},
    )


def parse_status(xml: bytes) -> dict[str, str]:
    """``{"state": "Idle"|"Processing"|..., "adf": "ScannerAdfLoaded"|...}`` from ScannerStatus."""
    root = _parse_xml(xml, "ScannerStatus")
    return {
        "state": (root.findtext("pwg:State", default="", namespaces=_NS) or "").strip(),
        "adf": (root.findtext("scan:AdfState", default="", namespaces=_NS) or "").strip(),
    }


def _parse_xml(xml: bytes, expected: str) -> ET.Element:
    # Python's expat has entity-expansion ("billion laughs") protection since 3.7.1 / expat 2.4;
    # the size cap in _get_xml bounds everything else.
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        raise DeviceIOError("Máy quét mạng trả về dữ liệu không hợp lệ.", detail=str(exc)) from exc
    if root.tag != f"{{{NS_SCAN}}}{expected}":
        raise DeviceIOError(
            "Địa chỉ này không phải máy quét eSCL.",
            hint="Hãy kiểm tra địa chỉ máy quét trong Cài đặt (thường có dạng http://IP/eSCL).",
            detail=f"root {root.tag}",
        )
    return root


class EsclSource:
    """One eSCL scanner at ``base_url`` (e.g. ``http://192.168.1.20/eSCL``)."""

    kind = "escl"

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 10.0,
        page_timeout: float = 180.0,
        verify_tls: bool = False,
        busy_retry_seconds: float = _BUSY_RETRY_SECONDS,
        max_page_bytes: int = imageio.MAX_FILE_BYTES,
        transport: httpx.BaseTransport | None = None,
        label: str | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.page_timeout = page_timeout
        self.busy_retry_seconds = busy_retry_seconds
        self.max_page_bytes = max_page_bytes
        self._client = httpx.Client(timeout=timeout, verify=verify_tls, transport=transport, follow_redirects=False)
        self._caps: SourceCapabilities | None = None
        self._model = ""
        self.name = label or f"eSCL {self.base_url}"

    # --------------------------------------------------------------------- HTTP helpers
    def _url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    def _request(
        self, method: str, url: str, *, max_bytes: int = imageio.MAX_FILE_BYTES, **kwargs: Any
    ) -> httpx.Response:
        """One HTTP exchange with transport errors mapped and the body size capped.

        The body is streamed so a faulty or hostile device cannot make us buffer gigabytes
        before the image decoder's own size check would run.
        """
        try:
            with self._client.stream(method, url, **kwargs) as response:
                declared = response.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise ImageTooLargeError(detail=f"{method} {url}: Content-Length {declared}")
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > max_bytes:
                        raise ImageTooLargeError(detail=f"{method} {url}: more than {max_bytes} bytes")
                return httpx.Response(
                    response.status_code, headers=response.headers, content=bytes(body), request=response.request
                )
        except httpx.TimeoutException as exc:
            if isinstance(exc, httpx.ConnectTimeout):
                raise ScannerUnreachableError(detail=f"{method} {url}: {exc!r}") from exc
            raise ScanTimeoutError(detail=f"{method} {url}: {exc!r}") from exc
        except httpx.TransportError as exc:
            raise ScannerUnreachableError(detail=f"{method} {url}: {exc!r}") from exc

    def _get_xml(self, path: str) -> bytes:
        try:
            response = self._request("GET", self._url(path), max_bytes=_MAX_XML_BYTES)
        except ImageTooLargeError as exc:
            raise DeviceIOError("Máy quét mạng trả về dữ liệu không hợp lệ.", detail=exc.detail) from exc
        if response.status_code == 404:
            raise DeviceNotFoundError(
                "Địa chỉ này không có dịch vụ quét eSCL.",
                hint="Hãy kiểm tra địa chỉ máy quét trong Cài đặt (thường có dạng http://IP/eSCL).",
                detail=f"GET {path}: 404",
            )
        if response.status_code != 200:
            raise DeviceIOError(detail=f"GET {path}: HTTP {response.status_code}")
        return response.content

    def status(self) -> dict[str, str]:
        """The scanner's current state (``ScannerStatus``)."""
        return parse_status(self._get_xml("ScannerStatus"))

    # ------------------------------------------------------------------------ interface
    def describe(self) -> str:
        """Make and model when known, and the address."""
        return f"{self._model or 'Máy quét mạng'} — {self.base_url} (eSCL/AirScan)"

    def capabilities(self) -> SourceCapabilities:
        """Parsed ``ScannerCapabilities`` (cached)."""
        if self._caps is None:
            self._model, self._caps = parse_capabilities(self._get_xml("ScannerCapabilities"))
            if self._model:
                self.name = self._model
        return self._caps

    def pages(self, settings: ScanSettings, cancel: CancelToken) -> Iterator[AcquiredPage]:
        """Create a job and yield each page as ``NextDocument`` delivers it."""
        caps = self.capabilities()
        if settings.source not in caps.input_sources:
            raise UnsupportedSettingError(
                "Máy quét mạng này không có "
                + ("mặt kính." if settings.source == "flatbed" else "khay nạp giấy tự động phù hợp."),
                hint="Hãy chọn nguồn giấy khác trong thiết lập quét.",
            )
        dpi = caps.nearest_dpi(settings.dpi)
        area_mm = page_area_mm(settings, caps.max_area_mm)
        area = (_mm_to_300ths(area_mm[0]), _mm_to_300ths(area_mm[1])) if area_mm else None
        job_url = self._create_job(settings_xml(settings, dpi, area), settings)
        finished = False
        try:
            index = 0
            for content in self._documents(job_url, settings, cancel):
                frame = imageio.decode_single(content, name=f"trang {index + 1}")
                yield AcquiredPage(
                    image=frame.image,
                    dpi=frame.dpi or dpi,
                    index=index,
                    source=f"escl:{self.base_url}",
                    meta={"job": job_url, "input_source": settings.source, "bytes": len(content)},
                )
                index += 1
                if settings.source == "flatbed":
                    finished = True  # one sheet on the glass; the job is done
                    return
                if settings.max_pages is not None and index >= settings.max_pages:
                    return  # paper may remain in the feeder: the finally clause cancels the job
            if cancel.cancelled:
                return  # the finally clause cancels the job on the scanner
            finished = True  # 404: the scanner says the job has no more pages
            if index == 0 and settings.source != "flatbed":
                raise FeederEmptyError(detail="404 before the first page")
            if index == 0:
                raise DeviceIOError("Máy quét không trả về trang nào.", detail="404 before the first page")
        finally:
            if not finished:
                self._cancel_job(job_url)

    def _create_job(self, body: bytes, settings: ScanSettings) -> str:
        deadline = time.monotonic() + self.busy_retry_seconds
        delay = 0.2
        while True:
            response = self._request("POST", self._url("ScanJobs"), content=body, headers={"Content-Type": "text/xml"})
            if response.status_code == 201:
                break
            if response.status_code == 503 and time.monotonic() + delay < deadline:
                time.sleep(delay)  # busy finishing another job: a short wait often suffices
                delay = min(delay * 2, 1.0)
                continue
            raise self._job_error(response.status_code, settings, pages=0, what="POST ScanJobs")
        location = response.headers.get("Location", "").strip()
        if not location:
            raise DeviceIOError(detail="ScanJobs: 201 without Location")
        # Location may be absolute or relative to the eSCL root (both are seen in the field).
        job_url = str(urljoin(self.base_url + "/", location)).rstrip("/")
        log.info("eSCL job created at %s", job_url)
        return job_url

    def _documents(self, job_url: str, settings: ScanSettings, cancel: CancelToken) -> Iterator[bytes]:
        """Raw page documents, each as soon as the scanner has it; ends on 404."""
        pages = 0
        deadline = time.monotonic() + self.page_timeout
        delay = 0.05
        while not cancel.cancelled:
            response = self._request("GET", f"{job_url}/NextDocument", max_bytes=self.max_page_bytes)
            code = response.status_code
            if code == 200:
                yield response.content
                pages += 1
                deadline = time.monotonic() + self.page_timeout
                delay = 0.05
                continue
            if code == 404:
                return
            if code == 503:
                if time.monotonic() > deadline:
                    raise ScanTimeoutError(detail=f"NextDocument 503 for {self.page_timeout:.0f} s")
                # Page still being scanned; back off gently (50 ms → 0.5 s) to keep the
                # device's small web server responsive.
                if cancel.wait(delay):
                    return
                delay = min(delay * 1.5, 0.5)
                continue
            raise self._job_error(code, settings, pages=pages, what="NextDocument")

    def _job_error(self, code: int, settings: ScanSettings, *, pages: int, what: str) -> ScanError:
        """Ask ScannerStatus why a request failed and build the matching error."""
        detail = f"{what}: HTTP {code}"
        try:
            status = self.status()
        except ScanError:
            status = {"state": "", "adf": ""}
        detail += f"; state={status['state']} adf={status['adf']}"
        adf = status["adf"]
        error: ScanError
        if adf == "ScannerAdfJam":
            error = PaperJamError(detail=detail)
        elif adf == "ScannerAdfDoorOpen":
            error = CoverOpenError(detail=detail)
        elif adf == "ScannerAdfEmpty" and settings.source != "flatbed" and pages == 0:
            error = FeederEmptyError(detail=detail)
        elif code == 503 or status["state"] in ("Processing", "Testing"):
            error = DeviceBusyError(detail=detail)
        elif code in (400, 409) and pages == 0:
            error = UnsupportedSettingError(detail=detail)
        else:
            error = DeviceIOError(detail=detail)
        if pages:
            error.hint = f"Đã nhận {pages} trang đầu. " + (error.hint or "")
        return error

    def _cancel_job(self, job_url: str) -> None:
        """Tell the scanner to stop; failures are logged, not raised (we are already stopping)."""
        try:
            response = self._client.request("DELETE", job_url)
            log.info("eSCL job %s cancelled: HTTP %d", job_url, response.status_code)
        except httpx.HTTPError as exc:
            log.warning("could not cancel eSCL job %s: %r", job_url, exc)

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._client.close()
