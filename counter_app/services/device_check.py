"""Device self-test (Cài đặt → Kiểm tra thiết bị): scanner, USB token, printer, provincial system.

Each check returns one :class:`CheckResult` with what was found and, when something is wrong, a
plain Vietnamese "what to do" (the ward's officer usually has no IT staff at hand). The checks
never raise for a device problem: a failing device is the *answer*, not an error. They block
(a scan takes seconds, a login may wait for a timeout): run them on a worker, never the UI thread.

The printer list comes from the caller: only the GUI layer may ask Qt's ``QPrinterInfo``; this
module judges what it is given, so it stays Qt-free (``tests/test_architecture.py``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from counter_app.errors import CounterError

if TYPE_CHECKING:
    from counter_app.db.database import CounterDB
    from counter_app.scanning.sources import DiscoveryConfig

log = logging.getLogger(__name__)

__all__ = ["CheckResult", "check_printer", "check_province", "check_scanner", "check_token", "set_signing_certificate"]

Status = Literal["ok", "warn", "fail"]
# Sources that are real scanners (not folders or imported files) and worth a test page.
SCANNER_KINDS = ("twain", "wia", "escl", "sane", "camera")


@dataclass(frozen=True)
class CheckResult:
    """One line of the self-test: ``status`` ok / warn / fail, what was found, what to do."""

    key: str
    title: str
    status: Status
    detail: str
    todo: str = ""
    seconds: float = 0.0


def _fail(key: str, title: str, exc: BaseException, todo: str) -> CheckResult:
    # The hint is shown once, as the "what to do" line.
    message = exc.message if isinstance(exc, CounterError) else str(exc)
    return CheckResult(key, title, "fail", message, getattr(exc, "hint", None) or todo)


# ------------------------------------------------------------------------------------ scanner
def check_scanner(config: DiscoveryConfig | None = None, *, test_page: bool = True,
                  dpi: int = 150, timeout_s: float = 120.0) -> CheckResult:
    """Find a scanner and scan one page at ``dpi`` (flatbed, or the feeder if the device has no glass)."""
    from counter_app.scanning.sources import discover_sources, open_source
    from counter_app.scanning.sources.base import CancelToken, ScanSettings

    title = "Máy quét"
    t0 = time.perf_counter()
    found = [s for s in discover_sources(config) if s.kind in SCANNER_KINDS]
    usable = [s for s in found if s.available]
    if not usable:
        problem = next((s.problem for s in found if s.problem), "")
        return CheckResult("scanner", title, "fail",
                           "Không tìm thấy máy quét nào." + (f" ({problem})" if problem else ""),
                           "Bật máy quét, cắm cáp USB (hoặc nối cùng mạng), cài trình điều khiển TWAIN của hãng "
                           "rồi bấm «Kiểm tra lại».", time.perf_counter() - t0)
    info = usable[0]
    names = ", ".join(s.label for s in usable)
    if not test_page:
        return CheckResult("scanner", title, "ok", f"Tìm thấy: {names}.", seconds=time.perf_counter() - t0)
    try:
        source = open_source(info)
        try:
            caps = source.capabilities()
            where = "flatbed" if "flatbed" in caps.input_sources else caps.input_sources[0]
            settings = ScanSettings(dpi=caps.nearest_dpi(dpi), color_mode="color", source=where,  # type: ignore[arg-type]
                                    max_pages=1)
            cancel = CancelToken()
            page = next(iter(source.pages(settings, cancel)), None)
            cancel.cancel()  # one page is the test
            if time.perf_counter() - t0 > timeout_s:
                log.warning("scanner test page took %.0f s", time.perf_counter() - t0)
        finally:
            source.close()
    except CounterError as exc:
        return _fail("scanner", title, exc, "Kiểm tra máy quét đã bật, có giấy, nắp đã đóng, rồi thử lại.")
    if page is None:
        return CheckResult("scanner", title, "fail", f"{info.label}: máy quét không trả về trang nào.",
                           "Đặt một tờ giấy lên mặt kính (hoặc khay nạp) rồi bấm «Kiểm tra lại».",
                           time.perf_counter() - t0)
    h, w = page.image.shape[:2]
    return CheckResult("scanner", title, "ok",
                       f"{info.label}: quét thử 1 trang {w}×{h} điểm ảnh, {page.dpi} dpi. Thiết bị tìm thấy: {names}.",
                       seconds=time.perf_counter() - t0)


# -------------------------------------------------------------------------------------- token
def _test_pdf() -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.drawString(72, 760, "Quay Mot Cua - trang ky thu (device self-test)")
    c.showPage()
    c.save()
    return buf.getvalue()


def check_token(module_setting: str | None = None, pin: str | None = None, *,
                modules: Sequence[Path] | None = None, token_label: str | None = None,
                now: dt.datetime | None = None) -> CheckResult:
    """Find a USB token; with ``pin``, sign a test page in memory and verify it (nothing is stored).

    Without a PIN only presence is checked: the self-test never types a PIN for the officer, and
    a wrong PIN counts against the token's lock-out like any other.
    """
    from counter_app.scanning import pkcs11_signing as p11
    from counter_app.scanning import signing

    title = "USB token ký số"
    t0 = time.perf_counter()
    candidates = list(modules) if modules is not None else p11.candidate_modules(module_setting)
    if not candidates and module_setting:
        return CheckResult("token", title, "fail", f"Không tìm thấy thư viện USB token đã khai báo: {module_setting}.",
                           "Sửa đường dẫn trong Cài đặt → Thư viện USB token ký số (để trống để phần mềm tự tìm), "
                           "hoặc cài lại phần mềm token của nhà cung cấp chứng thư số.")
    if not candidates:
        return CheckResult("token", title, "fail", "Máy tính chưa cài phần mềm (thư viện) của USB token.",
                           "Cài phần mềm token của nhà cung cấp chứng thư số (VNPT-CA, Viettel-CA, BkavCA, FPT-CA, "
                           "SafeNet, Bit4id…), hoặc khai báo đường dẫn thư viện trong Cài đặt → Chữ ký số.")
    tokens, problems = p11.probe_tokens(candidates)
    if token_label:
        tokens = [t for t in tokens if t.label == token_label]
    if not tokens:
        extra = f" ({'; '.join(problems)})" if problems else ""
        return CheckResult("token", title, "fail", "Không thấy USB token nào được cắm vào máy." + extra,
                           "Cắm USB token ký số (đèn token sáng), chờ vài giây rồi bấm «Kiểm tra lại».",
                           time.perf_counter() - t0)
    token = tokens[0]
    seen = f"Token «{token.label}» ({token.manufacturer} {token.model}, thư viện {Path(token.module).name})"
    warn = token.pin_tries_text()
    if pin is None:
        return CheckResult("token", title, "warn" if warn else "ok",
                           f"{seen}. Chưa ký thử (cần mã PIN). {warn}".strip(),
                           "Bấm «Ký thử» và nhập mã PIN để kiểm tra chữ ký." if not warn else
                           "Cẩn thận khi nhập mã PIN: token sẽ khóa nếu nhập sai quá số lần cho phép.",
                           time.perf_counter() - t0)
    config = signing.Pkcs11Config(module_path=token.module, token_label=token.label)
    try:
        signer = signing.OfficerSigner.from_pkcs11(config, pin, now=now)
        try:
            signed = signing.sign_pdf(_test_pdf(), signer, (36.0, 740.0, 260.0, 806.0))
            check = signing.check_signature(signed, [signer.certificate])
        finally:
            signer.close()
    except CounterError as exc:
        return _fail("token", title, exc, "Kiểm tra mã PIN và chứng thư số trên token.")
    if not (check.valid and check.intact):
        return CheckResult("token", title, "fail", f"{seen}: chữ ký thử không hợp lệ ({check.summary}).",
                           "Báo cho bộ phận kỹ thuật / nhà cung cấp chứng thư số.", time.perf_counter() - t0)
    left = (signer.not_after - (now or dt.datetime.now(dt.UTC))).days
    status: Status = "warn" if left < p11.EXPIRY_WARNING_DAYS else "ok"
    todo = ("Chứng thư số sắp hết hạn: liên hệ tổ chức cung cấp chứng thư số để gia hạn."
            if status == "warn" else "")
    return CheckResult("token", title, status,
                       f"{seen}: ký thử thành công bằng chứng thư của {signer.holder}, "
                       f"hết hạn ngày {signer.not_after:%d/%m/%Y} (còn {left} ngày).", todo,
                       time.perf_counter() - t0)


# ------------------------------------------------------------------------------------ printer
def check_printer(printers: Sequence[str], default: str | None) -> CheckResult:
    """Judge the printers the GUI found (Qt's ``QPrinterInfo``): at least one, and a default one."""
    title = "Máy in"
    if not printers:
        return CheckResult("printer", title, "fail", "Máy tính chưa có máy in nào.",
                           "Bật máy in, cắm cáp USB và cài trình điều khiển của hãng (Cài đặt Windows → "
                           "Máy in và máy quét → Thêm máy in).")
    if not default:
        return CheckResult("printer", title, "warn",
                           f"Có máy in: {', '.join(printers)}, nhưng chưa chọn máy in mặc định.",
                           "Chọn máy in mặc định trong Cài đặt Windows → Máy in và máy quét.")
    return CheckResult("printer", title, "ok", f"Máy in mặc định: {default} (có {len(printers)} máy in).")


# ----------------------------------------------------------------------------------- province
def check_province(cdb: CounterDB, *, timeout_s: float = 10.0) -> CheckResult:
    """Log in to the provincial one-stop system with the configured account (no data is sent)."""
    from counter_app.sync.client import ProvincialClient
    from counter_app.sync.runner import client_config

    title = "Kết nối hệ thống một cửa của tỉnh"
    t0 = time.perf_counter()
    try:
        config = dataclasses.replace(client_config(cdb), timeout=timeout_s, retries=0)
        with ProvincialClient(config) as client:
            client.login()
    except CounterError as exc:
        return _fail("province", title, exc, "Kiểm tra mạng và địa chỉ máy chủ trong Cài đặt → Đồng bộ.")
    return CheckResult("province", title, "ok",
                       f"Đăng nhập được vào {config.base_url} ({(time.perf_counter() - t0) * 1000:.0f} ms).",
                       seconds=time.perf_counter() - t0)


# ------------------------------------------------------------------ the officer's certificate
def set_signing_certificate(cdb: CounterDB, user_id: int, ref: str) -> None:
    """Store which certificate the officer signs with (``pkcs11:<token>/<id>`` or a PKCS#12 path),
    with its audit entry in the same transaction."""
    with cdb.write():
        cdb.conn.execute("UPDATE users SET signing_cert_path = ? WHERE id = ?", (ref, user_id))
        from counter_app.db import audit

        audit.append(cdb, user_id, "user_changed", "user", user_id, {"signing_cert": ref})
