"""Vietnam's time zone, in a module of its own so light modules need not load the holiday tables."""

from __future__ import annotations

import logging
from datetime import timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

log = logging.getLogger(__name__)
_FIXED_UTC7 = timezone(timedelta(hours=7), "ICT")


def _local_tz() -> tzinfo:
    """Asia/Ho_Chi_Minh, or a fixed UTC+7 where the system has no tz database.

    Windows has no IANA database unless the ``tzdata`` package is installed. Vietnam has kept
    UTC+7 without daylight saving since 1975, so the fixed offset gives identical results for
    every date this app handles.
    """
    try:
        return ZoneInfo("Asia/Ho_Chi_Minh")
    except ZoneInfoNotFoundError:  # pragma: no cover - depends on the machine
        log.warning("Không có dữ liệu múi giờ Asia/Ho_Chi_Minh; dùng UTC+7 cố định.")
        return _FIXED_UTC7


LOCAL_TZ: tzinfo = _local_tz()
