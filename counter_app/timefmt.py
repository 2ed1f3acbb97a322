"""The one definition of how times are written: in the database, in file names, on the wire.

Every table stores local wall-clock time (Asia/Ho_Chi_Minh, UTC+7 all year) as naive text
``YYYY-MM-DD HH:MM:SS``: it sorts as text, SQLite's ``date()``/``strftime()`` read it, and the
reports slice it (``[:10]`` is the day) without parsing a million rows. Changing it would need a
migration of every stored row, so this module only names it; it never changes it.

``now()`` is naive local time because that is what is stored (``datetime.now()`` on a machine set
to Vietnam time; an aware moment is converted first, see :func:`db_ts`).
"""

from __future__ import annotations

from datetime import datetime

from counter_app.domain.timezone import LOCAL_TZ

#: Database timestamp: local time, second precision (schema.py's SQL default writes the same).
DB_TS = "%Y-%m-%d %H:%M:%S"
#: Compact form of the provincial system's dates and the QR payload (``yyyyMMddHHmmss``, DOMAIN §4).
COMPACT_TS = "%Y%m%d%H%M%S"


def now() -> datetime:
    """Local wall-clock time, naive, to the second (what the database stores)."""
    return datetime.now().replace(microsecond=0)


def local_naive(moment: datetime) -> datetime:
    """``moment`` as naive local time: an aware moment is converted to UTC+7, a naive one kept."""
    if moment.tzinfo is not None:
        return moment.astimezone(LOCAL_TZ).replace(tzinfo=None)
    return moment


def db_ts(moment: datetime) -> str:
    """Database timestamp text of ``moment`` (``2026-10-08 14:30:05``)."""
    return local_naive(moment).strftime(DB_TS)


def parse_db_ts(text: str | None) -> datetime | None:
    """Inverse of :func:`db_ts`; ``None``/empty gives ``None``. A malformed value raises ValueError."""
    return datetime.strptime(text, DB_TS) if text else None


def try_parse_db_ts(text: object) -> datetime | None:
    """Like :func:`parse_db_ts` but a damaged or foreign value (a hand-edited setting) gives ``None``."""
    if not isinstance(text, str):
        return None
    try:
        return parse_db_ts(text)
    except ValueError:
        return None


def compact_ts(moment: datetime) -> str:
    """``20261008143005`` (local time)."""
    return local_naive(moment).strftime(COMPACT_TS)


__all__ = ["COMPACT_TS", "DB_TS", "compact_ts", "db_ts", "local_naive", "now", "parse_db_ts", "try_parse_db_ts"]
