"""A small eSCL (AirScan) scanner simulator, for demos and tests.

It speaks enough of the eSCL protocol (Mopria/Apple "AirScan", the HTTP protocol most current
office scanners and multifunction printers offer) for :mod:`counter_app.scanning.sources.escl`
and for other clients such as sane-airscan:

* ``GET  /eSCL/ScannerCapabilities`` - platen + ADF (simplex/duplex), 75..600 dpi, RGB24/Grayscale8
* ``GET  /eSCL/ScannerStatus``       - ``pwg:State`` Idle/Processing, ``scan:AdfState``
* ``POST /eSCL/ScanJobs``            - ``scan:ScanSettings`` in, 201 + ``Location`` out
* ``GET  /eSCL/ScanJobs/{id}/NextDocument`` - 200 + JPEG page; 503 while the "scan head" is
  still moving (the client retries); 404 when the feeder is empty
* ``DELETE /eSCL/ScanJobs/{id}``     - cancel

Fault injection: ``--busy`` (every new job gets 503, status Processing), ``--jam-after N``
(the page after N delivered pages answers 409 and the ADF state becomes ScannerAdfJam),
``--adf-empty`` (Feeder jobs get 409, AdfState ScannerAdfEmpty), ``--page-delay-ms`` (time to
"scan" each page), ``--slow-ms`` (every HTTP answer is delayed: a slow device or network).

Run: ``python -m counter_dev.escl_sim --port 0`` prints ``READY port=N`` once it
listens. In tests use :class:`EsclSimulator` as a context manager (server in a thread).
"""

from __future__ import annotations

import argparse
import io
import logging
import sys
import threading
import time
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from PIL import Image, ImageDraw

log = logging.getLogger(__name__)

NS_SCAN = "http://schemas.hp.com/imaging/escl/2011/05/03"
NS_PWG = "http://www.pwg.org/schemas/2010/12/sm"

# 300ths of an inch, the eSCL unit: A4 = 2480 x 3508; we allow Legal-size glass (8.5 x 14 in).
_MAX_WIDTH = 2550
_MAX_HEIGHT = 4200
_RESOLUTIONS = (75, 100, 150, 200, 300, 600)


@dataclass
class SimConfig:
    """Behaviour of the simulated scanner."""

    adf_pages: int = 3
    page_delay_ms: int = 0
    slow_ms: int = 0
    busy: bool = False
    jam_after: int | None = None
    adf_empty: bool = False
    make_and_model: str = "Counter Sim eSCL Scanner"


@dataclass
class SimJob:
    """One scan job as the simulator tracks it."""

    job_id: str
    input_source: str
    duplex: bool
    dpi: int
    color_mode: str
    width_300: int
    height_300: int
    pages: int
    created: float
    delivered: int = 0
    state: str = "Processing"  # Processing | Completed | Canceled | Aborted


@dataclass
class SimState:
    """Everything a test may want to inspect after a run."""

    jobs: dict[str, SimJob] = field(default_factory=dict)
    deleted: list[str] = field(default_factory=list)
    requests: list[tuple[str, str, int]] = field(default_factory=list)
    adf_state: str = "ScannerAdfLoaded"
    lock: threading.Lock = field(default_factory=threading.Lock)


def capabilities_xml(config: SimConfig) -> bytes:
    """The ``scan:ScannerCapabilities`` document."""

    def input_caps(tag: str) -> str:
        resolutions = "".join(
            f"<scan:DiscreteResolution><scan:XResolution>{r}</scan:XResolution>"
            f"<scan:YResolution>{r}</scan:YResolution></scan:DiscreteResolution>"
            for r in _RESOLUTIONS
        )
        return (
            f"<scan:{tag}>"
            "<scan:MinWidth>16</scan:MinWidth>"
            f"<scan:MaxWidth>{_MAX_WIDTH}</scan:MaxWidth>"
            "<scan:MinHeight>16</scan:MinHeight>"
            f"<scan:MaxHeight>{_MAX_HEIGHT}</scan:MaxHeight>"
            "<scan:MaxScanRegions>1</scan:MaxScanRegions>"
            "<scan:SettingProfiles><scan:SettingProfile>"
            "<scan:ColorModes><scan:ColorMode>RGB24</scan:ColorMode>"
            "<scan:ColorMode>Grayscale8</scan:ColorMode></scan:ColorModes>"
            "<scan:DocumentFormats><pwg:DocumentFormat>image/jpeg</pwg:DocumentFormat>"
            "<scan:DocumentFormatExt>image/jpeg</scan:DocumentFormatExt></scan:DocumentFormats>"
            f"<scan:SupportedResolutions><scan:DiscreteResolutions>{resolutions}"
            "</scan:DiscreteResolutions></scan:SupportedResolutions>"
            "</scan:SettingProfile></scan:SettingProfiles>"
            f"</scan:{tag}>"
        )

    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<scan:ScannerCapabilities xmlns:scan="{NS_SCAN}" xmlns:pwg="{NS_PWG}">'
        "<pwg:Version>2.63</pwg:Version>"
        f"<pwg:MakeAndModel>{config.make_and_model}</pwg:MakeAndModel>"
        "<pwg:SerialNumber>SIM0001</pwg:SerialNumber>"
        f"<scan:Platen>{input_caps('PlatenInputCaps')}</scan:Platen>"
        f"<scan:Adf>{input_caps('AdfSimplexInputCaps')}{input_caps('AdfDuplexInputCaps')}"
        "<scan:FeederCapacity>50</scan:FeederCapacity></scan:Adf>"
        "</scan:ScannerCapabilities>"
    ).encode()


def status_xml(config: SimConfig, state: SimState) -> bytes:
    """The ``scan:ScannerStatus`` document."""
    with state.lock:
        active = any(job.state == "Processing" for job in state.jobs.values())
        jobs = "".join(
            f"<scan:JobInfo><pwg:JobUri>/eSCL/ScanJobs/{job.job_id}</pwg:JobUri>"
            f"<pwg:JobUuid>{job.job_id}</pwg:JobUuid>"
            f"<scan:Age>{int(time.monotonic() - job.created)}</scan:Age>"
            f"<pwg:ImagesCompleted>{job.delivered}</pwg:ImagesCompleted>"
            f"<pwg:JobState>{job.state}</pwg:JobState></scan:JobInfo>"
            for job in state.jobs.values()
        )
        adf_state = "ScannerAdfEmpty" if config.adf_empty else state.adf_state
    pwg_state = "Processing" if (config.busy or active) else "Idle"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<scan:ScannerStatus xmlns:scan="{NS_SCAN}" xmlns:pwg="{NS_PWG}">'
        "<pwg:Version>2.63</pwg:Version>"
        f"<pwg:State>{pwg_state}</pwg:State>"
        f"<scan:AdfState>{adf_state}</scan:AdfState>"
        f"<scan:Jobs>{jobs}</scan:Jobs>"
        "</scan:ScannerStatus>"
    ).encode()


def render_page(job: SimJob, number: int) -> bytes:
    """A recognisable page: border, title "TRANG n/N", text lines and a red "seal"."""
    # Region is in 300ths of an inch; pixels = region * dpi / 300.
    width = max(16, job.width_300 * job.dpi // 300)
    height = max(16, job.height_300 * job.dpi // 300)
    mode = "L" if job.color_mode.startswith("Grayscale") else "RGB"
    white = 255 if mode == "L" else (255, 255, 255)
    black = 0 if mode == "L" else (0, 0, 0)
    red = 90 if mode == "L" else (210, 30, 30)
    image = Image.new(mode, (width, height), white)
    draw = ImageDraw.Draw(image)
    margin = max(4, width // 20)
    draw.rectangle([margin, margin, width - margin, height - margin], outline=black, width=max(1, width // 300))
    draw.text((margin * 2, margin * 2), f"TRANG {number}/{job.pages} {job.input_source}", fill=black)
    step = max(8, height // 40)
    for y in range(margin * 4, height - margin * 4, step):
        draw.line([margin * 2, y, width - margin * 2 - (y * 7 % (width // 3 + 1)), y], fill=black, width=1)
    radius = max(4, width // 10)
    centre = (width - margin * 3 - radius, height - margin * 3 - radius)
    draw.ellipse(
        [centre[0] - radius, centre[1] - radius, centre[0] + radius, centre[1] + radius],
        outline=red,
        width=max(2, radius // 8),
    )
    # A page-number bar whose length encodes the page number, so tests can check the order
    # without OCR: (number) blocks of margin x margin in the top right.
    for i in range(number):
        x0 = width - margin * 2 - (i + 1) * margin
        draw.rectangle([x0, margin * 2, x0 + margin // 2, margin * 3], fill=black)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85, dpi=(job.dpi, job.dpi))
    return buffer.getvalue()


def _parse_settings(body: bytes) -> dict[str, Any]:
    root = ET.fromstring(body)
    ns = {"scan": NS_SCAN, "pwg": NS_PWG}

    def text(path: str, default: str) -> str:
        node = root.find(path, ns)
        return node.text.strip() if node is not None and node.text else default

    return {
        "input_source": text("pwg:InputSource", text("scan:InputSource", "Platen")),
        "dpi": int(text("scan:XResolution", "300")),
        "color_mode": text("scan:ColorMode", "RGB24"),
        "duplex": text("scan:Duplex", "false").lower() == "true",
        "width": int(text("pwg:ScanRegions/pwg:ScanRegion/pwg:Width", "2480")),
        "height": int(text("pwg:ScanRegions/pwg:ScanRegion/pwg:Height", "3508")),
    }


class _Handler(BaseHTTPRequestHandler):
    server: _SimServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("escl-sim: " + format, *args)

    # ------------------------------------------------------------------ helpers
    def _send(self, status: int, body: bytes = b"", content_type: str = "text/xml", **headers: str) -> None:
        sim = self.server.sim
        if sim.config.slow_ms:
            time.sleep(sim.config.slow_ms / 1000)
        with sim.state.lock:
            sim.state.requests.append((self.command, self.path, status))
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        if body:
            self.send_header("Content-Type", content_type)
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        if body:
            self.wfile.write(body)

    def _job(self) -> SimJob | None:
        parts = self.path.split("?")[0].strip("/").split("/")
        if len(parts) >= 3 and parts[0] == "eSCL" and parts[1] == "ScanJobs":
            return self.server.sim.state.jobs.get(parts[2])
        return None

    # ------------------------------------------------------------------ verbs
    def do_GET(self) -> None:
        sim = self.server.sim
        path = self.path.split("?")[0].rstrip("/")
        if path == "/eSCL/ScannerCapabilities":
            self._send(200, capabilities_xml(sim.config))
        elif path == "/eSCL/ScannerStatus":
            self._send(200, status_xml(sim.config, sim.state))
        elif path.endswith("/NextDocument"):
            self._next_document()
        else:
            self._send(404)

    def _next_document(self) -> None:
        sim = self.server.sim
        job = self._job()
        status, number = 200, 0
        with sim.state.lock:
            if job is None or job.state == "Canceled":
                status = 404
            elif job.delivered >= job.pages:
                job.state = "Completed"
                status = 404  # eSCL: no more documents in this job
            elif sim.config.jam_after is not None and job.delivered >= sim.config.jam_after:
                job.state = "Aborted"
                sim.state.adf_state = "ScannerAdfJam"
                status = 409
            elif time.monotonic() < job.created + (job.delivered + 1) * sim.config.page_delay_ms / 1000:
                status = 503  # still scanning this page: the client polls again
            else:
                job.delivered += 1
                number = job.delivered
        if status == 503:
            self._send(503, Retry_After="1")
            return
        if status != 200 or job is None:
            self._send(status)
            return
        self._send(200, render_page(job, number), content_type="image/jpeg")

    def do_POST(self) -> None:
        sim = self.server.sim
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.path.rstrip("/") != "/eSCL/ScanJobs":
            self._send(404)
            return
        if sim.config.busy:
            self._send(503)
            return
        try:
            params = _parse_settings(body)
        except (ET.ParseError, ValueError):
            self._send(400)
            return
        feeder = params["input_source"] == "Feeder"
        if feeder and sim.config.adf_empty:
            self._send(409)
            return
        if params["dpi"] not in _RESOLUTIONS:
            self._send(409)
            return
        pages = sim.config.adf_pages * (2 if params["duplex"] else 1) if feeder else 1
        job = SimJob(
            job_id=str(uuid.uuid4()),
            input_source=params["input_source"],
            duplex=params["duplex"],
            dpi=params["dpi"],
            color_mode=params["color_mode"],
            width_300=min(params["width"], _MAX_WIDTH),
            height_300=min(params["height"], _MAX_HEIGHT),
            pages=pages,
            created=time.monotonic(),
        )
        with sim.state.lock:
            sim.state.jobs[job.job_id] = job
        host = self.headers.get("Host", f"127.0.0.1:{self.server.server_address[1]}")
        self._send(201, Location=f"http://{host}/eSCL/ScanJobs/{job.job_id}")

    def do_DELETE(self) -> None:
        sim = self.server.sim
        job = self._job()
        if job is None:
            self._send(404)
            return
        with sim.state.lock:
            job.state = "Canceled"
            sim.state.deleted.append(job.job_id)
        self._send(200)


class _SimServer(ThreadingHTTPServer):
    daemon_threads = True
    sim: EsclSimulator

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up early (cancel, size cap) is normal for a scanner; keep
        # socketserver's traceback for real bugs only.
        if isinstance(sys.exc_info()[1], ConnectionError):
            log.debug("escl-sim: client %s hung up", client_address)
            return
        super().handle_error(request, client_address)


class EsclSimulator:
    """The simulator as an object: ``with EsclSimulator(SimConfig(...)) as sim: sim.base_url``."""

    def __init__(self, config: SimConfig | None = None, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.config = config or SimConfig()
        self.state = SimState()
        self._server = _SimServer((host, port), _Handler)
        self._server.sim = self
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The TCP port actually bound (useful with port 0)."""
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """The eSCL root, e.g. ``http://127.0.0.1:8123/eSCL``."""
        host = self._server.server_address[0]
        return f"http://{host if isinstance(host, str) else host.decode()}:{self.port}/eSCL"

    def start(self) -> EsclSimulator:
        """Serve in a background thread."""
        # A short poll interval makes stop() quick (tests start and stop many simulators).
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="escl-sim", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread (command-line use)."""
        self._server.serve_forever()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> EsclSimulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; prints ``READY port=N`` when listening."""
    parser = argparse.ArgumentParser(
        prog="python -m counter_dev.escl_sim", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 = pick a free port")
    parser.add_argument("--pages", type=int, default=3, help="sheets in the simulated feeder")
    parser.add_argument("--page-delay-ms", type=int, default=300, help="time to scan one page")
    parser.add_argument("--slow-ms", type=int, default=0, help="delay every HTTP answer")
    parser.add_argument("--busy", action="store_true", help="answer 503 to every new job")
    parser.add_argument("--jam-after", type=int, default=None, metavar="N", help="jam after N pages")
    parser.add_argument("--adf-empty", action="store_true", help="the feeder has no paper")
    args = parser.parse_args(argv)
    config = SimConfig(
        adf_pages=args.pages,
        page_delay_ms=args.page_delay_ms,
        slow_ms=args.slow_ms,
        busy=args.busy,
        jam_after=args.jam_after,
        adf_empty=args.adf_empty,
    )
    sim = EsclSimulator(config, host=args.host, port=args.port)
    print(f"READY port={sim.port}", flush=True)
    try:
        sim.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        sim._server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
