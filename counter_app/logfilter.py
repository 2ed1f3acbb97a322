"""A logging filter that keeps ID numbers, phone numbers and passwords out of log files.

The code already logs only masked numbers (:func:`counter_app.domain.citizen_id.mask_id`) and never
passwords; this filter is the second line of defence for what slips through — an exception
message that quotes a row, a library that logs a URL with a token, a debug line added in a hurry.
Logs are copied to USB sticks and sent to vendors, so they must not become a list of citizens.

Installed on the app's *handlers* (:func:`install`), not on loggers: a logger's filters do not see
records that propagate from child loggers, a handler's filters see everything it writes.

What is masked:

* 12-digit personal ID numbers and 9-digit CMND numbers, also typed with spaces, dots or hyphens
  (``001 099 012345``): kept as ``0010******45`` like :func:`mask_id`, enough to tell records apart;
* 12/9-digit numbers with letters attached (``CCCD001099012345``), unless the whole token is a hex
  hash or a uid;
* Vietnamese mobile numbers (``0`` + 9 digits, or ``+84``/``84`` + 9 digits) and landlines
  (``024 3823 4567``): only the last 3 digits are kept;
* a CCCD QR string quoted whole: the number is masked and every other field (name, birth date,
  address) becomes ``***``;
* ``password=…``, ``"passphrase": "…"``, ``mật khẩu: …``, tokens and secrets in ``key=value``,
  ``key: value`` and JSON form: the value becomes ``***``.

Longer digit runs (timestamps ``20261005103000``, hashes) are left alone: the patterns require
that no digit touches the number on either side.
"""

from __future__ import annotations

import logging
import re

__all__ = ["ScrubFilter", "install", "scrub"]

_SEP = r"[ .\-]?"
# 12 digits (optionally grouped 3-3-6 or 4-4-4) or 9 digits (3-3-3), no digit immediately around.
# Letters may touch the number ("CCCD001099012345", "so001099012345x" in an exception text):
# whether letters around it make it a hash or a uid instead is decided in _mask_id below.
_ID_RE = re.compile(
    rf"(?<![0-9])(?:\d{{3}}{_SEP}\d{{3}}{_SEP}\d{{6}}|\d{{4}}{_SEP}\d{{4}}{_SEP}\d{{4}}"
    rf"|\d{{3}}{_SEP}\d{{3}}{_SEP}\d{{3}})(?![0-9])"
)
# Mobile numbers (0 + 9 digits) and landlines (0 + 2-digit area code starting with 2 + 8 digits,
# written "024 3823 4567", "(024) 3823.4567", "+84 24 38234567"); no letter or digit right before.
_PHONE_RE = re.compile(
    r"(?<![0-9A-Za-z+])(?:\(?(?:\+?84|0)\)?)(?:[ .\-]{0,2}\)?[ ]?\d){9,10}(?![0-9A-Za-z])"
)
# A token made only of hex digits and at least 20 long (SHA-256/MD5 hashes, hex uids) or a UUID:
# digit runs inside it are not ID numbers. 20, not 16: "CCCD" + 12 digits is 16 hex-looking
# characters and is exactly what must be masked.
_HEX_TOKEN = re.compile(r"[0-9a-fA-F]{20,}|[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")
_TOKEN_CHARS = re.compile(r"[0-9A-Za-z\-]")
# A CCCD QR string (DOMAIN §5: ID|old ID|name|birth date|gender|address|issue date) quoted whole,
# e.g. in an exception about a QR that did not parse: the name and address go with the numbers.
_QR_RE = re.compile(r"(?<![0-9])\d{9,12}\|[^|\r\n]{0,12}\|[^|\r\n]*\|[^|\r\n]*\|[^|\r\n]*\|[^|\r\n]*(?:\|[^|\s]*)?")
_SECRET_KEYS = (
    r"password|passwd|pwd|passphrase|secret|token|api[_\-]?key|authorization|"
    r"mat[_ ]?khau|mật[_ ]?khẩu|recovery[_ ]?key|khoa[_ ]?khoi[_ ]?phuc|khóa[_ ]?khôi[_ ]?phục"
)
# key, separator, then a quoted value (up to the closing quote) or a bare one (up to a space, comma,
# semicolon, ampersand or brace); "Bearer"/"Basic" before a token is kept, the token is not.
_SECRET_RE = re.compile(
    rf"""(?P<key>["']?\b(?:{_SECRET_KEYS})\b["']?\s*(?:=|:)\s*(?:(?:bearer|basic)\s+)?)"""
    r"""(?:(?P<q>["'])(?P<quoted>.*?)(?P=q)|(?P<value>[^\s"',;&}]+))""",
    re.IGNORECASE,
)


def _mask_digits(match: re.Match[str]) -> str:
    text, start, end = match.string, match.start(), match.end()
    # Widen to the whole token the number sits in: inside a hash or a uid it is left alone.
    while start > 0 and _TOKEN_CHARS.match(text[start - 1]):
        start -= 1
    while end < len(text) and _TOKEN_CHARS.match(text[end]):
        end += 1
    if _HEX_TOKEN.fullmatch(text[start:end]):
        return match.group(0)
    digits = re.sub(r"\D", "", match.group(0))
    return digits[:4] + "*" * (len(digits) - 6) + digits[-2:]


def _mask_phone(match: re.Match[str]) -> str:
    # At most the last 3 digits, like privacy.mask_phone: a prefix + suffix narrows a number down.
    digits = re.sub(r"\D", "", match.group(0))
    return "*" * (len(digits) - 3) + digits[-3:]


def _mask_qr(match: re.Match[str]) -> str:
    fields = match.group(0).split("|")
    digits = fields[0]
    return "|".join([digits[:4] + "*" * (len(digits) - 6) + digits[-2:]] + ["***"] * (len(fields) - 1))


def scrub(text: str) -> str:
    """``text`` with secrets replaced by ``***`` and ID/phone numbers masked."""
    text = _SECRET_RE.sub(lambda m: f"{m.group('key')}{m.group('q') or ''}***{m.group('q') or ''}", text)
    text = _QR_RE.sub(_mask_qr, text)
    text = _PHONE_RE.sub(_mask_phone, text)
    return _ID_RE.sub(_mask_digits, text)


class ScrubFilter(logging.Filter):
    """Rewrite each record's message (and its traceback text) through :func:`scrub`; never drops a record."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        """Scrub in place, so every handler after this one sees the clean text too."""
        try:
            message = record.getMessage()
        except Exception:  # a bad %-format in someone's log call: keep the raw text, scrubbed
            message = f"{record.msg} {record.args}"
        record.msg = scrub(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            # Formatter.format() uses exc_text when set; format the traceback now so it is scrubbed too.
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


def install(logger: logging.Logger | None = None) -> ScrubFilter:
    """Add one :class:`ScrubFilter` to every handler of ``logger`` (default: the root logger).

    Call after the handlers are added (``counter_app.app.setup_logging``); a handler added later
    needs ``handler.addFilter(filter)`` with the returned filter.
    """
    target = logger or logging.getLogger()
    flt = ScrubFilter()
    for handler in target.handlers:
        if not any(isinstance(f, ScrubFilter) for f in handler.filters):
            handler.addFilter(flt)
    return flt
