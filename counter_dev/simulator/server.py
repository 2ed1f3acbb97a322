"""HTTP(S) front of the simulated provincial system (stdlib ``ThreadingHTTPServer``).

One thread per connection, HTTP/1.1 keep-alive, JSON everywhere except file bytes. Faults from
:mod:`.faults` apply to ``/api/`` only; ``/admin/`` is read-only, never faulty and never
authenticated, which is why the server binds to loopback unless told otherwise.
Headers are never logged: they carry bearer tokens.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import re
import secrets
import socket
import ssl
import struct
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from counter_app.paths import RESOURCES
from counter_app.sync import protocol as p
from counter_dev.simulator import tls
from counter_dev.simulator.faults import FaultConfig, FaultInjector
from counter_dev.simulator.processing import ProcessingConfig, Processor
from counter_dev.simulator.store import Download, Reply, SimulatorStore

log = logging.getLogger(__name__)

DEFAULT_USERS: Mapping[str, str] = {"demo": "demo"}
_FILE_ROUTE = re.compile(r"^/api/files/([^/]+)(/status)?$")
# Where the catalogue resource lives in the repository (another part of the project writes it).
DEFAULT_CATALOGUE = RESOURCES / "catalogue" / "procedures_xa.json"


@dataclass(frozen=True)
class SimulatorConfig:
    """Everything ``python -m counter_dev.simulator`` can set."""

    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 0
    users: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_USERS))
    session_ttl: float = 3600.0
    faults: FaultConfig = field(default_factory=FaultConfig)
    processing: ProcessingConfig = field(default_factory=ProcessingConfig)
    tick: float = 1.0
    tls: bool = False
    cert: Path | None = None
    key: Path | None = None
    catalogue: Path | None = DEFAULT_CATALOGUE


class SessionTable:
    """Bearer tokens in memory (a restart logs everyone out, as a real server would)."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        # Keyed by the token's hash so a memory dump or a debugger view never shows live tokens.
        self._sessions: dict[str, tuple[str, float]] = {}

    @staticmethod
    def _key(token: str) -> str:
        return hashlib.sha256(token.encode("utf-8")).hexdigest()

    def issue(self, username: str) -> str:
        """A new token for ``username``, valid for ``ttl`` seconds."""
        token = secrets.token_urlsafe(32)
        now = time.monotonic()
        with self._lock:
            if len(self._sessions) > 10_000:  # forget dead sessions now and then
                self._sessions = {k: v for k, v in self._sessions.items() if v[1] > now}
            self._sessions[self._key(token)] = (username, now + self.ttl)
        return token

    def check(self, token: str) -> str | None:
        """The user of a live token, else ``None`` (expired, unknown, or from before a restart)."""
        key = self._key(token)
        with self._lock:
            entry = self._sessions.get(key)
            if entry is None:
                return None
            if entry[1] <= time.monotonic():
                del self._sessions[key]
                return None
            return entry[0]

    def active(self) -> int:
        """Number of sessions not yet expired."""
        now = time.monotonic()
        with self._lock:
            return sum(1 for _user, expires in self._sessions.values() if expires > now)


class _BodyError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.reply = Reply(status, {"error_code": code, "message": message})


class SimulatorServer(ThreadingHTTPServer):
    """Threaded HTTP server holding the store, sessions and fault injector."""

    daemon_threads = True
    block_on_close = False  # shutdown must not wait for idle keep-alive connections
    request_queue_size = 128

    def __init__(self, config: SimulatorConfig, store: SimulatorStore,
                 ssl_context: ssl.SSLContext | None = None) -> None:
        if ":" in config.host:
            self.address_family = socket.AF_INET6
        super().__init__((config.host, config.port), SimulatorHandler)
        self.config = config
        self.store = store
        self.faults = FaultInjector(config.faults)
        self.sessions = SessionTable(config.session_ttl)
        self.ssl_context = ssl_context
        self.scheme = "https" if ssl_context else "http"
        self._requests = 0
        self._requests_lock = threading.Lock()

    @property
    def port(self) -> int:
        """The bound port (useful with ``port=0``)."""
        return int(self.server_address[1])

    def count_request(self) -> None:
        """Count a request (in memory; reported by ``/admin/stats``)."""
        with self._requests_lock:
            self._requests += 1

    @property
    def requests_served(self) -> int:
        """Requests seen since start."""
        with self._requests_lock:
            return self._requests

    def finish_request(self, request: Any, client_address: Any) -> None:
        """Run one connection in its worker thread; TLS handshakes happen here, not in accept()."""
        conn = request
        if self.ssl_context is not None:
            # A client that connects and never completes the handshake must not hold a thread forever.
            request.settimeout(SimulatorHandler.timeout)
            try:
                conn = self.ssl_context.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError) as exc:
                # Expected when a client refuses our self-signed certificate.
                log.debug("TLS handshake failed: %s", exc)
                request.close()
                return
        handler: SimulatorHandler | None = None
        try:
            handler = self.RequestHandlerClass(conn, client_address, self)  # type: ignore[assignment]
        finally:
            aborted = handler is not None and handler.aborted
            if not aborted:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_WR)
            # With SO_LINGER 0 (set by an aborting handler) close() sends RST instead of FIN.
            conn.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients vanishing is normal here (and is what tests provoke); anything else is a bug."""
        exc = sys.exc_info()[1]
        if isinstance(exc, OSError):
            log.debug("connection error: %s", exc)
        else:
            log.exception("unexpected error while serving a connection")


class SimulatorHandler(BaseHTTPRequestHandler):
    """Routes one request; see ``docs/simulator.md`` for the protocol."""

    server: SimulatorServer
    protocol_version = "HTTP/1.1"  # keep-alive: the client reuses connections between chunks
    server_version = "ProvincialSimulator/1.0"
    sys_version = ""
    disable_nagle_algorithm = True  # headers and body go out as separate writes; avoid 40 ms stalls
    timeout = 120  # idle keep-alive connections give their thread back eventually
    aborted = False

    def do_GET(self) -> None:  # name fixed by BaseHTTPRequestHandler
        """Handle GET."""
        self._handle("GET")

    def do_HEAD(self) -> None:
        """Handle HEAD."""
        self._handle("HEAD")

    def do_POST(self) -> None:
        """Handle POST."""
        self._handle("POST")

    def do_PUT(self) -> None:
        """Handle PUT."""
        self._handle("PUT")

    def log_message(self, format: str, *args: Any) -> None:
        """Request lines go to debug logging; they carry paths only, never headers or bodies."""
        log.debug("%s " + format, self.client_address[0], *args)

    # --- request flow --------------------------------------------------------------------------

    def _handle(self, method: str) -> None:
        self.server.count_request()
        url = urlsplit(self.path)
        if url.path.startswith("/admin"):
            self._drain_and_send(self._admin(method, url.path, parse_qs(url.query)), method)
            return
        if not url.path.startswith("/api/"):
            self._drain_and_send(Reply(404, {"error_code": p.ErrorCode.FILE_NOT_FOUND, "message": "Không có"}),
                                 method)
            return
        plan = self.server.faults.plan()
        if plan.reset:
            self.server.store.count("fault_reset")
            self._abort()
            return
        if plan.delay_seconds:
            time.sleep(plan.delay_seconds)
        try:
            body = self._read_body(p.MAX_CHUNK_SIZE if method == "PUT" else p.MAX_JSON_BODY)
        except _BodyError as error:
            self.close_connection = True  # the unread body would be taken for the next request
            self._send(error.reply, method)
            return
        if plan.fail:
            self.server.store.count("fault_fail")
            self._send(Reply(500, {"error_code": p.ErrorCode.SERVER_ERROR,
                                   "message": "Lỗi máy chủ (giả lập), hãy thử lại sau"}), method)
            return
        try:
            reply = self._route(method, url.path, body)
        except Exception:
            log.exception("error handling %s %s", method, url.path)
            reply = Reply(500, {"error_code": p.ErrorCode.SERVER_ERROR, "message": "Lỗi máy chủ"})
        if plan.lost_reply:
            # Everything above is committed; the client just never hears about it.
            self.server.store.count("fault_lost_reply")
            self.close_connection = True
            return
        self._send(reply, method)

    def _abort(self) -> None:
        """Reset the connection: SO_LINGER 0 makes the close send RST, as a crashed proxy would."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.aborted = True
        self.close_connection = True

    def _read_body(self, limit: int) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked(limit)
        length_text = self.headers.get("Content-Length")
        if not length_text:
            return b""
        try:
            length = int(length_text)
        except ValueError:
            raise _BodyError(400, p.ErrorCode.BAD_REQUEST, "Content-Length không hợp lệ") from None
        if length < 0:
            raise _BodyError(400, p.ErrorCode.BAD_REQUEST, "Content-Length không hợp lệ")
        if length > limit:
            raise _BodyError(413, p.ErrorCode.TOO_LARGE, f"Yêu cầu quá lớn (tối đa {limit} byte)")
        data = self.rfile.read(length)
        if len(data) != length:
            raise ConnectionError("client closed the connection mid-body")
        return data

    def _read_chunked(self, limit: int) -> bytes:
        parts: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(1024)
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise _BodyError(400, p.ErrorCode.BAD_REQUEST, "Mã hóa chunked không hợp lệ") from None
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass  # trailers are ignored
                return b"".join(parts)
            total += size
            if total > limit:
                raise _BodyError(413, p.ErrorCode.TOO_LARGE, f"Yêu cầu quá lớn (tối đa {limit} byte)")
            chunk = self.rfile.read(size)
            if len(chunk) != size:
                raise ConnectionError("client closed the connection mid-body")
            parts.append(chunk)
            self.rfile.readline(1024)

    def _drain_and_send(self, reply: Reply, method: str) -> None:
        try:
            self._read_body(p.MAX_JSON_BODY)
        except _BodyError:
            self.close_connection = True
        self._send(reply, method)

    # --- routing -------------------------------------------------------------------------------

    def _route(self, method: str, path: str, body: bytes) -> Reply | Download:
        if path == p.LOGIN_PATH:
            return self._login(body) if method == "POST" else _method_not_allowed()
        refused = self._authenticate()
        if refused is not None:
            return refused
        store = self.server.store
        if path == p.SERVICE_PATH:
            return self._service(body) if method == "POST" else _method_not_allowed()
        if path == p.FILES_PATH:
            if method != "POST":
                return _method_not_allowed()
            parsed = _json_body(body)
            return parsed if isinstance(parsed, Reply) else store.offer_file(parsed)
        match = _FILE_ROUTE.match(path)
        if match is None:
            return Reply(404, {"error_code": p.ErrorCode.FILE_NOT_FOUND, "message": f"Không có {path}"})
        file_id, is_status = match.group(1), bool(match.group(2))
        if is_status:
            return store.file_status(file_id) if method in ("GET", "HEAD") else _method_not_allowed()
        if method == "PUT":
            offset_text = self.headers.get(p.UPLOAD_OFFSET_HEADER, "")
            if not offset_text.strip().isdigit():
                return Reply(400, {"error_code": p.ErrorCode.BAD_REQUEST,
                                   "message": f"Thiếu hoặc sai header {p.UPLOAD_OFFSET_HEADER}"})
            return store.write_chunk(file_id, int(offset_text), body)
        if method in ("GET", "HEAD"):
            return store.download(file_id)
        return _method_not_allowed()

    def _login(self, body: bytes) -> Reply:
        parsed = _json_body(body)
        if isinstance(parsed, Reply):
            return parsed
        username, password = parsed.get("username"), parsed.get("password")
        expected = self.server.config.users.get(username) if isinstance(username, str) else None
        # compare_digest: no timing hint about how much of a password matched.
        if expected is None or not isinstance(password, str) or not hmac.compare_digest(
                expected.encode("utf-8"), password.encode("utf-8")):
            self.server.store.count("login_failures")
            return Reply(401, {"error_code": p.ErrorCode.UNAUTHORIZED, "message": p.MSG_BAD_CREDENTIALS,
                               "reason": p.REASON_BAD_CREDENTIALS})
        token = self.server.sessions.issue(username)  # type: ignore[arg-type]  # checked above
        self.server.store.count("logins")
        return Reply(200, {"error_code": p.ErrorCode.OK, "message": "Đăng nhập thành công", "token": token,
                           "token_type": "Bearer", "expires_in": int(self.server.config.session_ttl)})

    def _authenticate(self) -> Reply | None:
        header = self.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return Reply(401, {"error_code": p.ErrorCode.UNAUTHORIZED, "message": "Chưa đăng nhập",
                               "reason": p.REASON_UNAUTHENTICATED}, {"WWW-Authenticate": "Bearer"})
        if self.server.sessions.check(token.strip()) is None:
            self.server.store.count("sessions_expired")
            return Reply(401, {"error_code": p.ErrorCode.UNAUTHORIZED, "message": p.MSG_SESSION_EXPIRED,
                               "reason": p.REASON_SESSION_EXPIRED},
                         {"WWW-Authenticate": 'Bearer error="invalid_token"'})
        return None

    def _service(self, body: bytes) -> Reply:
        envelope = _json_body(body)
        if isinstance(envelope, Reply):
            return envelope
        service = envelope.get("service")
        is_updating = envelope.get("isUpdating", False)
        data = envelope.get("data", [])
        if not isinstance(service, str) or not isinstance(is_updating, bool):
            return Reply(400, {"error_code": p.ErrorCode.BAD_REQUEST,
                               "message": "Phong bì phải có service (chuỗi) và isUpdating (true/false)"})
        store = self.server.store
        if service in (p.Service.SYNC_DOSSIER, p.Service.UPDATE_PROGRESS) and not isinstance(data, list):
            return Reply(200, {"error_code": p.ErrorCode.BAD_REQUEST, "message": "data phải là một danh sách"})
        if service == p.Service.SYNC_DOSSIER:
            if p.AUDIT_ANCHOR_FIELD in envelope:  # the counter's audit-chain head (issue #15 item 4)
                store.record_audit_anchor(envelope[p.AUDIT_ANCHOR_FIELD])
            result = store.sync_dossiers(data, is_updating, _sender(envelope))
        elif service == p.Service.UPDATE_PROGRESS:
            result = store.add_progress(data, _sender(envelope))
        elif service == p.Service.LOOKUP:
            if envelope.get(p.QUEUE_EMPTY_FIELD) and envelope.get(p.SCOPE_FIELD) is not None:
                store.note_caught_up(_sender(envelope))  # everything of this counter is here (issue #19)
            result = store.lookup(envelope, self._base_url(), _sender(envelope))
        elif service in (p.Service.CATALOGUE, p.Service.CATALOGUE_ALIAS):
            result = store.catalogue(envelope)
        else:
            result = {"error_code": p.ErrorCode.UNKNOWN_SERVICE, "message": f"Không hỗ trợ dịch vụ {service}"}
        return Reply(200, result)

    def _base_url(self) -> str:
        host = self.headers.get("Host") or f"{self.server.config.host}:{self.server.port}"
        return f"{self.server.scheme}://{host}"

    def _admin(self, method: str, path: str, query: dict[str, list[str]]) -> Reply:
        if method not in ("GET", "HEAD"):
            return _method_not_allowed()
        store = self.server.store
        if path == p.ADMIN_DOSSIERS_PATH:
            dossiers = store.admin_dossiers((query.get("MaHoSo") or [None])[0])
            return Reply(200, {"count": len(dossiers), "dossiers": dossiers})
        if path == p.ADMIN_FILES_PATH:
            return Reply(200, {"files": store.admin_files()})
        if path == p.ADMIN_STATS_PATH:
            stats = store.stats()
            stats["requests_since_start"] = self.server.requests_served
            stats["sessions_active"] = self.server.sessions.active()
            return Reply(200, stats)
        return Reply(404, {"error_code": p.ErrorCode.FILE_NOT_FOUND, "message": f"Không có {path}"})

    # --- replies -------------------------------------------------------------------------------

    def _send(self, reply: Reply | Download, method: str) -> None:
        if isinstance(reply, Download):
            self._send_file(reply, method)
            return
        data = json.dumps(reply.body, ensure_ascii=False).encode("utf-8")
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if method != "HEAD":
            self.wfile.write(data)

    def _send_file(self, download: Download, method: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", download.content_type)
        self.send_header("Content-Length", str(download.size))
        self.send_header("X-Content-SHA256", download.sha256)
        self.send_header("Content-Disposition", f"attachment; filename*=UTF-8''{_quote(download.name)}")
        self.end_headers()
        if method == "HEAD":
            return
        with open(download.path, "rb") as handle:
            for block in iter(lambda: handle.read(256 * 1024), b""):
                self.wfile.write(block)


def _sender(envelope: dict[str, Any]) -> tuple[str, str] | None:
    """The envelope's (``MaDonVi``, ``MaQuay``): which counter of which agency is calling (issue #19)."""
    agency, counter = envelope.get(p.AGENCY_FIELD), envelope.get(p.COUNTER_FIELD)
    if not isinstance(counter, str) or not counter:
        return None
    return (agency if isinstance(agency, str) else "", counter)


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name or "file", safe="")


def _method_not_allowed() -> Reply:
    return Reply(405, {"error_code": p.ErrorCode.BAD_REQUEST, "message": "Phương thức không được hỗ trợ"})


def _json_body(body: bytes) -> dict[str, Any] | Reply:
    try:
        parsed = json.loads(body.decode("utf-8")) if body else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        parsed = None
    if not isinstance(parsed, dict):
        return Reply(400, {"error_code": p.ErrorCode.BAD_REQUEST, "message": "Thân yêu cầu phải là đối tượng JSON"})
    return parsed


@dataclass
class Simulator:
    """A built simulator: server, store and processing thread, ready to :meth:`serve_forever`."""

    config: SimulatorConfig
    store: SimulatorStore
    server: SimulatorServer
    processor: Processor | None
    cert_path: Path | None

    @property
    def url(self) -> str:
        """Base URL clients use."""
        host = self.config.host if ":" not in self.config.host else f"[{self.config.host}]"
        return f"{self.server.scheme}://{host}:{self.server.port}"

    def serve_forever(self) -> None:
        """Serve until :meth:`stop` is called from another thread (or a signal handler)."""
        if self.processor is not None:
            self.processor.start()
        try:
            self.server.serve_forever(poll_interval=0.2)
        finally:
            self.close()

    def stop(self) -> None:
        """Stop serving; safe to call from any thread except the serving one."""
        self.server.shutdown()

    def close(self) -> None:
        """Release the port, stop processing, close the database."""
        if self.processor is not None:
            self.processor.stop()
        self.server.server_close()
        self.store.close()


def build(config: SimulatorConfig) -> Simulator:
    """Open the store, prepare TLS and bind the port (not yet serving)."""
    data_dir = Path(config.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    store = SimulatorStore(data_dir, processing_config=config.processing, catalogue_path=config.catalogue)
    context, cert_path = None, None
    try:
        if config.tls:
            if config.cert and config.key:
                cert_path, key_path = Path(config.cert), Path(config.key)
            else:
                cert_path, key_path = tls.ensure_self_signed(data_dir / "tls")
            context = tls.server_context(cert_path, key_path)
        server = SimulatorServer(config, store, context)
    except BaseException:
        store.close()
        raise
    processor = Processor(store, config.tick) if config.processing.enabled else None
    return Simulator(config, store, server, processor, cert_path)
