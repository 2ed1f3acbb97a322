"""HTTP client of the provincial one-stop system (protocol: docs/simulator.md, DOMAIN §4).

One :class:`ProvincialClient` holds one keep-alive connection pool and one session token. Every
call follows the protocol's retry rule:

- transport errors (refused, reset, timeout, reply lost) and HTTP 5xx: the *same* request is sent
  again a few times with a short jittered pause — every call is idempotent on the server;
- HTTP 401 ``session_expired`` / ``unauthenticated``: log in again once, then repeat the request;
- a 200 with a non-zero ``error_code`` or another 4xx is never repeated unchanged.

Whatever still fails is raised as a :class:`SyncError` subclass with a plain Vietnamese message
the officer can act on.

A hostile or broken server cannot hold the counter or its memory (issue #15 item 13): every call
has a total deadline (:attr:`ClientConfig.deadline`, retries included) enforced at each socket
read and write — a per-read timeout alone lets a server dribbling one byte every few seconds hold
a pass for minutes — and every reply is read as a stream with a size cap
(:attr:`ClientConfig.max_response`); result documents stream to a temporary file, hashed on the
way, and stop at :attr:`ClientConfig.max_download`.

Credentials and tokens are never logged, never put in an exception and never shown by ``repr``;
a download link pointing at another host never receives the token.

Glossary: hồ sơ = dossier, tệp = file, phiên đăng nhập = session, chứng chỉ = certificate.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import random
import ssl
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

from counter_app import crypto, vault
from counter_app.atomicio import atomic_write_bytes, sha256_bytes, sha256_file
from counter_app.errors import CounterError
from counter_app.sync import protocol as p

log = logging.getLogger(__name__)

__all__ = [
    "CertificateNotTrusted",
    "ClientConfig",
    "LocalFileProblem",
    "LoginRejected",
    "ProvincialClient",
    "Rejected",
    "ServerError",
    "ServerUnreachable",
    "SyncError",
    "SyncNotConfigured",
]


# --- errors ----------------------------------------------------------------------------------


class SyncError(CounterError):
    """Base of every sync failure. ``kind`` is a stable short name for the status bar and logs."""

    kind = "sync"
    #: True when trying again later may succeed without anyone changing anything.
    retryable = True


class SyncNotConfigured(SyncError):
    """Endpoint or account missing in the settings."""

    kind = "not_configured"
    retryable = False


class ServerUnreachable(SyncError):
    """No answer from the server: network down, server stopped, connection cut, timeout."""

    kind = "unreachable"


class CertificateNotTrusted(SyncError):
    """The server's TLS certificate does not verify against the trusted CAs."""

    kind = "certificate"
    retryable = False


class LoginRejected(SyncError):
    """Wrong user name or password."""

    kind = "login"
    retryable = False


class ServerError(SyncError):
    """The server answered, but with an internal error (HTTP 5xx) or something unreadable."""

    kind = "server"

    def __init__(self, message: str, *, hint: str | None = None, status: int | None = None) -> None:
        super().__init__(message, hint=hint)
        self.status = status


class Rejected(SyncError):
    """A business refusal: the server read the request and said no (``error_code`` ≠ 0)."""

    kind = "rejected"

    def __init__(self, message: str, *, error_code: str, server_message: str = "", hint: str | None = None,
                 retryable: bool = False, body: Mapping[str, Any] | None = None) -> None:
        super().__init__(message, hint=hint)
        self.error_code = error_code
        self.server_message = server_message
        self.retryable = retryable
        self.body = dict(body or {})


class LocalFileProblem(SyncError):
    """A file on this machine is missing or its bytes no longer match the recorded SHA-256."""

    kind = "local_file"
    retryable = False


_UNREACHABLE_HINT = ("Kiểm tra kết nối mạng và địa chỉ máy chủ trong Cài đặt → Đồng bộ. "
                     "Hồ sơ vẫn được lưu trên máy và sẽ tự gửi khi có mạng.")


def _unreachable(detail: str) -> ServerUnreachable:
    return ServerUnreachable(f"Không kết nối được máy chủ của tỉnh ({detail}).", hint=_UNREACHABLE_HINT)


def _is_certificate_error(exc: BaseException) -> bool:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLCertVerificationError):
            return True
        if "CERTIFICATE_VERIFY_FAILED" in str(current):
            return True
        current = current.__cause__ or current.__context__
    return False


# --- configuration ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ClientConfig:
    """How to reach the provincial system. ``password`` is hidden from ``repr``."""

    base_url: str
    username: str
    password: str = field(repr=False)
    ca_file: str | None = None           # PEM of the CA (or self-signed certificate) to trust
    timeout: float = 30.0                # seconds per request (connect, read, write)
    retries: int = 3                     # extra tries after a transport error or 5xx
    retry_delay: float = 0.02            # first pause between tries; doubles, with full jitter
    chunk_size: int = p.DEFAULT_CHUNK_SIZE
    # A result document is a signed PDF of a few pages (typically < 5 MB); 64 MB leaves room for a
    # long scanned decision while a hostile 400 MB reply is cut at 64 MB, streamed, never in memory.
    max_download: int = 64 * 1024 * 1024
    # Service replies are JSON: a page of 200 dossiers with their steps is well under 2 MB.
    max_response: int = 16 * 1024 * 1024
    # Total seconds for one call, retries and re-login included; downloads get download_deadline
    # (64 MB at 256 kbit/s ≈ 35 min is not a realistic document; 10 min covers 20 MB on a poor line).
    deadline: float = 60.0
    download_deadline: float = 600.0

    def verify(self) -> ssl.SSLContext | bool:
        """What httpx gets as ``verify``: on by default; only the configured CA when one is set.

        An ``SSLContext`` rather than a path: httpx 0.28 deprecates ``verify=<path>``.
        """
        if self.ca_file:
            if not os.path.isfile(self.ca_file):
                raise CertificateNotTrusted(
                    f"Không tìm thấy tệp chứng chỉ {self.ca_file}.",
                    hint="Chọn lại tệp chứng chỉ của máy chủ trong Cài đặt → Đồng bộ.")
            return ssl.create_default_context(cafile=self.ca_file)
        return True


# --- deadline at the socket ------------------------------------------------------------------

_deadline = threading.local()  # .at: monotonic time the current call on this thread must end by


class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every read and write waits at most until the call's deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    @staticmethod
    def _limit(timeout: float | None, error: type[Exception]) -> float | None:
        at = getattr(_deadline, "at", None)
        if at is None:
            return timeout
        left = at - time.monotonic()
        if left <= 0:
            raise error("deadline of the call passed")
        return left if timeout is None else min(timeout, left)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._limit(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._limit(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname,
                                                     self._limit(timeout, httpcore.ConnectTimeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's own socket backend, with :class:`_DeadlineStream` around each connection."""

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Any = None) -> httpcore.NetworkStream:
        timeout = _DeadlineStream._limit(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.connect_tcp(host, port, timeout, local_address, socket_options))

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Any = None) -> httpcore.NetworkStream:  # pragma: no cover
        return _DeadlineStream(self._inner.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _DeadlineTransport(httpx.HTTPTransport):
    """httpx's transport on a pool that uses :class:`_DeadlineBackend` (httpx has no option for it)."""

    def __init__(self, verify: ssl.SSLContext | bool) -> None:
        super().__init__(verify=verify)
        self._pool = httpcore.ConnectionPool(ssl_context=httpx.create_ssl_context(verify=verify),
                                             max_connections=100, max_keepalive_connections=20,
                                             keepalive_expiry=5.0, network_backend=_DeadlineBackend())


@contextlib.contextmanager
def _call_deadline(seconds: float) -> Any:
    """Set this thread's deadline for one call; a nested call (re-login) never extends it."""
    previous = getattr(_deadline, "at", None)
    at = time.monotonic() + seconds
    _deadline.at = at if previous is None else min(previous, at)
    try:
        yield _deadline.at
    finally:
        _deadline.at = previous


class _Spool:
    """Where a streamed download goes: a temporary file, hashed and counted as bytes arrive."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self.reset()

    def reset(self) -> None:
        self.file.seek(0)
        self.file.truncate()
        self.size = 0
        self.hash = hashlib.sha256()

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.limit:
            raise _too_large()
        self.hash.update(chunk)
        self.file.write(chunk)

    def read_all(self) -> bytes:
        self.file.seek(0)
        return self.file.read()

    def close(self) -> None:
        self.file.close()


def _too_large() -> ServerError:
    return ServerError("Máy chủ của tỉnh gửi dữ liệu quá lớn so với giới hạn an toàn; đã dừng nhận.",
                       hint="Hệ thống sẽ thử lại sau; nếu lặp lại, báo quản trị hệ thống của tỉnh.", status=200)


# --- the client ------------------------------------------------------------------------------


class ProvincialClient:
    """Talks to the provincial system. Thread-safe: the token is shared under a lock."""

    def __init__(self, config: ClientConfig, *, transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.config = config
        verify = config.verify()
        self._http = httpx.Client(base_url=config.base_url.rstrip("/"), verify=verify,
                                  timeout=config.timeout, transport=transport or _DeadlineTransport(verify),
                                  headers={"User-Agent": "QuayMotCua-sync/1"})
        self._token: str | None = None
        self._token_lock = threading.Lock()
        self._sleep = sleep
        self._origin = _origin(config.base_url)
        self.logins = 0  # how many logins this client made (tests, diagnostics)
        # Until when calls fail at once because a call just ran out its whole deadline: the
        # sending threads of a pass then stop within one deadline instead of each starting the
        # next unit into the same stalled server. Cleared by any reply.
        self._stalled_until = 0.0
        #: The counter's audit-chain head, sent along with dossiers (protocol.AUDIT_ANCHOR_FIELD).
        self.audit_anchor: dict[str, Any] | None = None
        # Who is calling, sent in every service envelope (issue #19): the province records the
        # receiving counter of each dossier and each counter's last accepted push. Set by the worker.
        self.agency: str = ""
        self.counter: str = ""

    def __repr__(self) -> str:  # never show the token or the password
        return f"ProvincialClient({self.config.base_url!r}, user={self.config.username!r})"

    def __enter__(self) -> ProvincialClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    # --- transport ---------------------------------------------------------------------------

    def _send_once(self, method: str, url: str, *, sink: _Spool | None = None, **kwargs: Any) -> httpx.Response:
        """One request; httpx exceptions become :class:`SyncError`.

        The body is read as a stream, never more than :attr:`ClientConfig.max_response` bytes
        (``sink``: a 200 reply's body goes to that file instead, up to the sink's own limit), and
        returned as a complete response whose ``content`` is what arrived.
        """
        try:
            request = self._http.build_request(method, url, **kwargs)
            response = self._http.send(request, stream=True)
            try:
                if sink is not None and response.status_code == 200:
                    sink.reset()
                    for chunk in response.iter_bytes():
                        sink.write(chunk)
                    body = b""
                else:
                    parts: list[bytes] = []
                    size = 0
                    for chunk in response.iter_bytes():
                        size += len(chunk)
                        if size > self.config.max_response:
                            raise _too_large()
                        parts.append(chunk)
                    body = b"".join(parts)
            finally:
                response.close()
            # Decoded already (gzip): the copy must not claim an encoding or a length it no longer has.
            headers = [(k, v) for k, v in response.headers.multi_items()
                       if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")]
            return httpx.Response(response.status_code, headers=headers, content=body, request=request)
        except httpx.ConnectError as exc:
            if _is_certificate_error(exc):
                raise CertificateNotTrusted(
                    "Chứng chỉ máy chủ không được tin cậy, đã dừng kết nối để bảo vệ dữ liệu.",
                    hint="Nếu tỉnh dùng chứng chỉ riêng, chọn tệp chứng chỉ (CA) do tỉnh cấp trong "
                    "Cài đặt → Đồng bộ; nếu không, báo cho quản trị mạng.") from None
            raise _unreachable("không mở được kết nối") from None
        except httpx.TimeoutException:
            raise _unreachable("máy chủ không trả lời kịp") from None
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError, httpx.CloseError) as exc:
            if _is_certificate_error(exc):  # pragma: no cover - depends on the TLS stack
                raise CertificateNotTrusted("Chứng chỉ máy chủ không được tin cậy.") from None
            raise _unreachable("kết nối bị ngắt giữa chừng") from None
        except httpx.TransportError:
            raise _unreachable("lỗi đường truyền") from None

    def _request(self, method: str, url: str, *, auth: bool = True, deadline: float | None = None,
                 **kwargs: Any) -> httpx.Response:
        """Send with the retry rule within one total deadline; returns any response that is not 401/5xx."""
        with _call_deadline(deadline or self.config.deadline) as at:
            return self._request_until(at, method, url, auth=auth, **kwargs)

    def _request_until(self, at: float, method: str, url: str, *, auth: bool, **kwargs: Any) -> httpx.Response:
        if time.monotonic() < self._stalled_until:
            raise _unreachable("máy chủ vừa không trả lời trong thời hạn")
        try:
            response = self._request_retrying(at, method, url, auth=auth, **kwargs)
        except ServerUnreachable:
            if time.monotonic() >= at:  # the whole deadline went by: the server stalls, not one request
                self._stalled_until = time.monotonic() + min(30.0, self.config.deadline)
            raise
        self._stalled_until = 0.0
        return response

    def _request_retrying(self, at: float, method: str, url: str, *, auth: bool, **kwargs: Any) -> httpx.Response:
        relogged = False
        attempt = 0
        extra_headers = dict(kwargs.pop("headers", None) or {})
        while True:
            headers = dict(extra_headers)
            token = self._ensure_token() if auth else None
            if token is not None:
                headers["Authorization"] = f"Bearer {token}"
            try:
                response = self._send_once(method, url, headers=headers, **kwargs)
            except ServerUnreachable:
                if attempt >= self.config.retries or time.monotonic() >= at:
                    raise
                attempt += 1
                self._pause(attempt)
                continue
            if response.status_code == 401 and auth:
                reason = _json(response).get("reason")
                if reason == p.REASON_BAD_CREDENTIALS:
                    raise _login_rejected()
                if relogged:
                    raise ServerError("Máy chủ từ chối phiên đăng nhập vừa cấp.",
                                      hint="Thử lại sau ít phút; nếu lặp lại, báo quản trị hệ thống của tỉnh.",
                                      status=401)
                # The session ran out (or the server restarted): one fresh login, then the same call.
                log.info("session expired; logging in again")
                self._invalidate_token(token)
                relogged = True
                continue
            if response.status_code >= 500:
                if attempt >= self.config.retries or time.monotonic() >= at:
                    if response.status_code in (502, 503, 504):
                        raise _unreachable(f"máy chủ tạm ngừng phục vụ, mã {response.status_code}")
                    raise ServerError(
                        f"Máy chủ của tỉnh gặp lỗi (mã {response.status_code}).",
                        hint="Hệ thống sẽ tự thử lại; nếu lỗi kéo dài, báo quản trị hệ thống của tỉnh.",
                        status=response.status_code)
                attempt += 1
                self._pause(attempt)
                continue
            return response

    def _pause(self, attempt: int) -> None:
        # Full jitter: clients that failed together do not all come back at the same instant.
        self._sleep(random.uniform(0, self.config.retry_delay * (2 ** (attempt - 1))))

    # --- session -----------------------------------------------------------------------------

    def _ensure_token(self) -> str:
        with self._token_lock:
            if self._token is None:
                self._token = self._login_locked()
            return self._token

    def _invalidate_token(self, used: str | None) -> None:
        # Only the token that was refused: when several threads see the same expiry, the first
        # logs in and the others reuse its new token instead of each logging in again.
        with self._token_lock:
            if self._token == used:
                self._token = None

    def login(self) -> None:
        """Log in now (normally done lazily by the first call). Raises :class:`LoginRejected`."""
        with self._token_lock:
            self._token = self._login_locked()

    def _login_locked(self) -> str:
        body = {"username": self.config.username, "password": self.config.password}
        response = self._request("POST", p.LOGIN_PATH, auth=False, json=body)
        data = _json(response)
        if response.status_code == 401 or data.get("reason") == p.REASON_BAD_CREDENTIALS:
            raise _login_rejected()
        try:
            reply = p.LoginReply.from_json(data)
        except (KeyError, ValueError):
            raise ServerError(f"Máy chủ trả lời đăng nhập không hợp lệ (mã {response.status_code}).",
                              status=response.status_code) from None
        self.logins += 1
        log.info("logged in to the provincial system (session %d s)", reply.expires_in)
        return reply.token

    # --- services ----------------------------------------------------------------------------

    def call(self, service: str, data: Sequence[Any] | None = None, *, is_updating: bool = False,
             **extra: Any) -> p.ServiceReply:
        """``POST /api/service``; returns the reply whatever its ``error_code`` (callers decide)."""
        if service == p.Service.SYNC_DOSSIER and self.audit_anchor:
            extra.setdefault(p.AUDIT_ANCHOR_FIELD, self.audit_anchor)  # kept by the province (issue #15)
        if self.counter:
            extra.setdefault(p.AGENCY_FIELD, self.agency)
            extra.setdefault(p.COUNTER_FIELD, self.counter)
        response = self._request("POST", p.SERVICE_PATH,
                                 json=p.make_envelope(service, data, is_updating=is_updating, **extra))
        body = _json(response)
        if "error_code" not in body:
            raise ServerError(f"Máy chủ trả lời không đúng định dạng (mã {response.status_code}).",
                              status=response.status_code)
        return p.ServiceReply.from_json(body)

    def sync_dossier(self, dossier: Mapping[str, Any], *, exists: bool = False) -> str:
        """Create or update one dossier; returns ``created`` / ``updated`` / ``unchanged``.

        ``exists`` says the counter believes the province already holds it (start with an
        update). Either way the other form follows when the server says so: a create answered
        "đã tồn tại" (a retry after a lost reply, or a second counter) becomes an update, and an
        update of an unknown dossier becomes a create — so a retry never makes a duplicate.
        """
        modes = (True, False) if exists else (False, True)
        reply = self.call(p.Service.SYNC_DOSSIER, [dossier], is_updating=modes[0])
        if (not modes[0] and reply.already_exists) or (modes[0] and reply.error_code == p.ErrorCode.NOT_FOUND):
            reply = self.call(p.Service.SYNC_DOSSIER, [dossier], is_updating=modes[1])
        if not reply.ok:
            raise _rejected(reply, str(dossier.get("MaHoSo", "")))
        results = reply.raw.get("results") or [{}]
        return str(results[0].get("result") or "updated")

    def update_progress(self, items: Sequence[Mapping[str, Any]]) -> list[str]:
        """Send progress entries; returns each one's result (``created`` / ``duplicate``)."""
        reply = self.call(p.Service.UPDATE_PROGRESS, list(items))
        if not reply.ok:
            raise _rejected(reply, str(items[0].get("MaHoSo", "")) if items else "")
        return [str(r.get("result", "")) for r in reply.raw.get("results") or []]

    def changes_since(self, cursor: int, limit: int = 200, *, scope: Sequence[str] | None = None,
                      queue_empty: bool = False) -> p.ServiceReply:
        """``TraCuuHoSo`` since a change cursor: dossiers changed after ``cursor``, oldest first.

        ``scope``: the agencies whose dossiers to return (the ward replica, issue #19); the reply
        then also lists each of their counters' last push (``DanhSachQuay``).
        """
        extra: dict[str, Any] = {p.SCOPE_FIELD: list(scope)} if scope else {}
        if scope and queue_empty:
            extra[p.QUEUE_EMPTY_FIELD] = 1
        reply = self.call(p.Service.LOOKUP, since=int(cursor), limit=int(limit), **extra)
        if not reply.ok:
            raise _rejected(reply)
        return reply

    def lookup(self, codes: Sequence[str]) -> list[dict[str, Any]]:
        """``TraCuuHoSo`` by code: the province's view of these dossiers (unknown ones omitted)."""
        reply = self.call(p.Service.LOOKUP, list(codes))
        if not reply.ok:
            raise _rejected(reply)
        return [d for d in reply.data if isinstance(d, dict)]

    def catalogue(self, since: int = 0) -> tuple[int, list[dict[str, Any]]]:
        """``LayDanhSachTTHC``: (current version, entries changed after ``since``)."""
        reply = self.call(p.Service.CATALOGUE, since=int(since))
        if not reply.ok:
            raise _rejected(reply)
        return int(reply.raw.get("version") or 0), [d for d in reply.data if isinstance(d, dict)]

    # --- files -------------------------------------------------------------------------------

    def file_status(self, file_id: str) -> p.UploadStatus | None:
        """How much of a file the server holds; None if it was never announced."""
        response = self._request("GET", p.file_status_path(file_id))
        if response.status_code == 404:
            return None
        try:
            return p.UploadStatus.from_json(_json(response))
        except (KeyError, ValueError, TypeError):
            raise _unreadable(response) from None

    def upload_file(self, file_id: str, path: Path, *, name: str, size: int, sha256: str,
                    progress: Callable[[int, int], None] | None = None) -> p.UploadStatus:
        """Resumable upload: announce, then send from the server's offset until verified.

        The local bytes are checked against ``sha256`` first, so a file changed or damaged on
        disk is reported (:class:`LocalFileProblem`) instead of being sent and refused.
        A cut connection costs at most one chunk: the next call resumes where the server is.

        ``size`` and ``sha256`` are those of the document itself. A file stored encrypted
        (:mod:`counter_app.vault`) is decrypted in memory and its *plaintext* is sent: the province
        needs the PDF, never our envelope. One that does not decrypt (keys not opened, file
        changed or moved) is a :class:`LocalFileProblem` with the reason; nothing is sent.
        """
        plain = _local_plaintext(path, size, sha256)
        status = self._announce(file_id, name, size, sha256)
        restarts = 0
        with (io.BytesIO(plain) if plain is not None else open(path, "rb")) as handle:
            while not status.complete:
                handle.seek(status.offset)
                chunk = handle.read(min(self.config.chunk_size, size - status.offset))
                if not chunk and status.offset < size:
                    raise _file_changed(path)
                response = self._request("PUT", p.file_path(file_id), content=chunk,
                                         headers={p.UPLOAD_OFFSET_HEADER: str(status.offset),
                                                  "Content-Type": "application/octet-stream"})
                body = _json(response)
                if response.status_code in (200, 409) and "offset" in body:
                    # 409: a retried chunk that already arrived, or another offset: resume there.
                    status = p.UploadStatus.from_json(body)
                elif response.status_code == 404:
                    status = self._announce(file_id, name, size, sha256)  # the server forgot it
                elif 200 <= response.status_code < 300:
                    raise _unreadable(response)  # a success we cannot read: the server's fault, try later
                elif response.status_code == 422:
                    # Bytes damaged in transit (the local copy was verified above): start over, once.
                    restarts += 1
                    if restarts > 1:
                        raise Rejected(f"Máy chủ báo tệp «{name}» bị sai mã kiểm tra sau khi tải lên.",
                                       error_code=p.ErrorCode.CHECKSUM_MISMATCH,
                                       server_message=str(body.get("message", "")), retryable=True, body=body)
                    status = p.UploadStatus(file_id, 0, size, sha256, False)
                else:
                    raise Rejected(f"Máy chủ từ chối tệp «{name}»: {body.get('message', response.status_code)}.",
                                   error_code=str(body.get("error_code", response.status_code)),
                                   server_message=str(body.get("message", "")), body=body)
                if progress:
                    progress(status.offset, size)
        return status

    def _announce(self, file_id: str, name: str, size: int, sha256: str) -> p.UploadStatus:
        response = self._request("POST", p.FILES_PATH,
                                 json={"file_id": file_id, "name": name, "size": size, "sha256": sha256})
        body = _json(response)
        if response.status_code in (200, 201):
            try:
                if "offset" not in body:
                    raise ValueError("no offset")
                return p.UploadStatus.from_json(body)
            except (KeyError, ValueError, TypeError):
                raise _unreadable(response) from None
        message = str(body.get("message", ""))
        if response.status_code == 409:
            raise Rejected(f"Tệp «{name}» đã được gửi trước đây với nội dung khác.",
                           hint="Tệp trên máy đã bị thay đổi sau khi số hóa; số hóa lại thành phần này.",
                           error_code=p.ErrorCode.FILE_CONFLICT, server_message=message, body=body)
        raise Rejected(f"Máy chủ từ chối tệp «{name}»: {message or response.status_code}.",
                       error_code=str(body.get("error_code", response.status_code)), server_message=message,
                       body=body)

    def download(self, url: str, dest: Path, *, expected_sha256: str | None = None) -> tuple[str, int]:
        """Fetch a result document into ``dest`` atomically; returns the document's (sha256, size).

        The SHA-256 is checked against the server's ``X-Content-SHA256`` header (and
        ``expected_sha256`` when known) before anything is written. Inside a data directory the
        file goes through :func:`counter_app.vault.store`, so it is encrypted when the directory
        is (the sync worker uses :meth:`fetch` and stores itself, to record both hashes).
        """
        data = self.fetch(url, expected_sha256=expected_sha256)
        root = vault.find_root(dest)
        if root is None:
            atomic_write_bytes(dest, data)
        else:
            vault.store(root, Path(dest).resolve().relative_to(root), data)
        return sha256_bytes(data), len(data)

    def fetch(self, url: str, *, expected_sha256: str | None = None) -> bytes:
        """A result document's bytes, checked against the server's SHA-256; nothing is written."""
        target = url
        if url.startswith(("http://", "https://")) and _origin(url) != self._origin:
            # Never hand our bearer token to another host: fetch the same file id from our server.
            target = p.file_path(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1])
        elif url.startswith(("http://", "https://")):
            target = urlsplit(url).path
        spool = _Spool(self.config.max_download)
        try:
            # Streamed to a temporary file, hashed and counted on the way: a hostile 400 MB reply
            # stops at max_download and never sits in memory.
            response = self._request("GET", target, sink=spool, deadline=self.config.download_deadline)
            if response.status_code != 200:
                body = _json(response)
                raise Rejected(f"Không tải được giấy tờ kết quả: {body.get('message', response.status_code)}.",
                               error_code=str(body.get("error_code", response.status_code)),
                               server_message=str(body.get("message", "")), retryable=True, body=body)
            digest = spool.hash.hexdigest()
            for wanted in (response.headers.get("X-Content-SHA256"), expected_sha256):
                if wanted and wanted.lower() != digest:
                    raise ServerError("Giấy tờ kết quả tải về bị sai mã kiểm tra; sẽ tải lại sau.", status=200)
            return spool.read_all()  # at most max_download bytes, checked
        finally:
            spool.close()


# --- helpers ---------------------------------------------------------------------------------


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def _json(response: httpx.Response) -> dict[str, Any]:
    with contextlib.suppress(ValueError):
        body = response.json()
        if isinstance(body, dict):
            return body
    return {}


def _unreadable(response: httpx.Response) -> ServerError:
    """A reply that claims success but cannot be read: retried later like a 5xx, never parked."""
    return ServerError(f"Máy chủ trả lời không đúng định dạng (mã {response.status_code}).",
                       hint="Hệ thống sẽ tự thử lại; nếu lỗi kéo dài, báo quản trị hệ thống của tỉnh.",
                       status=response.status_code)


def _login_rejected() -> LoginRejected:
    return LoginRejected("Sai tài khoản hoặc mật khẩu đăng nhập hệ thống một cửa của tỉnh.",
                         hint="Nhập lại tài khoản đồng bộ trong Cài đặt → Đồng bộ (hỏi quản trị của tỉnh nếu quên).")


# Business refusals that can succeed later without anyone changing the dossier.
_RETRYABLE_CODES = {p.ErrorCode.FILE_MISSING, p.ErrorCode.NOT_FOUND}


def _rejected(reply: p.ServiceReply, code: str = "") -> Rejected:
    who = f"Hồ sơ {code}: " if code else ""
    message = reply.message or f"mã lỗi {reply.error_code}"
    hint = "Sửa thông tin hồ sơ theo thông báo rồi bấm «Gửi lại»."
    if reply.error_code == p.ErrorCode.STALE_VERSION:
        # Nothing to correct and nothing to resend: another counter got there first (issue #19).
        hint = ("Quầy khác đã cập nhật hồ sơ này trước; hồ sơ đã hiển thị lại theo hệ thống của tỉnh. "
                "Xem mục «Xung đột với quầy khác» trên trang Đồng bộ.")
    return Rejected(f"{who}máy chủ của tỉnh từ chối — {message}.", hint=hint,
                    error_code=reply.error_code, server_message=reply.message,
                    retryable=reply.error_code in _RETRYABLE_CODES, body=reply.raw)


def _file_changed(path: Path) -> LocalFileProblem:
    return LocalFileProblem(f"Tệp {path.name} trên máy đã bị thay đổi hoặc hỏng (mã kiểm tra SHA-256 không khớp).",
                            hint="Số hóa lại thành phần hồ sơ này, hoặc khôi phục tệp từ bản sao lưu, "
                            "rồi bấm «Gửi lại».")


def _missing(path: Path) -> LocalFileProblem:
    return LocalFileProblem(f"Không tìm thấy tệp {path.name} trên máy.",
                            hint="Khôi phục thư mục dữ liệu từ bản sao lưu hoặc số hóa lại, rồi bấm «Gửi lại».")


def _check_local_file(path: Path, size: int, sha256: str) -> None:
    try:
        actual_size = path.stat().st_size
    except OSError:
        raise _missing(path) from None
    if actual_size != size or sha256_file(path) != sha256.lower():
        raise _file_changed(path)


def _local_plaintext(path: Path, size: int, sha256: str) -> bytes | None:
    """Check the local file against the document's ``size``/``sha256`` before anything is sent.

    Returns the decrypted document when the file is an envelope (encrypted data directory), or
    None for a plain file, which is then streamed from disk as before (no copy in memory).
    """
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(crypto.MAGIC))
    except OSError:
        raise _missing(path) from None
    if not crypto.is_encrypted(head):
        _check_local_file(path, size, sha256)
        return None
    try:
        plain = vault.load_path(path)
    except OSError:
        raise _missing(path) from None
    except CounterError as exc:  # keys not opened, or the envelope was changed or moved (DecryptionFailed)
        problem = LocalFileProblem(f"Không giải mã được tệp {path.name} để gửi: {exc.message}",
                                   hint=exc.hint or "Mở khóa dữ liệu mã hóa hoặc khôi phục tệp từ bản sao lưu, "
                                   "rồi bấm «Gửi lại».")
        # Keys not opened in this process: heals once they are (the entry waits, no «Gửi lại»
        # needed); a changed or moved envelope never heals by itself and is parked.
        root = vault.find_root(path)
        problem.retryable = isinstance(exc, vault.Locked) or (root is not None and vault.ring(root) is None)
        raise problem from None
    if len(plain) != size or sha256_bytes(plain) != sha256.lower():
        raise _file_changed(path)
    return plain
