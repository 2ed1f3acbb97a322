"""Typed settings: the key names, the defaults and the parsing of the settings table in one place.

The ``settings`` table is a JSON key/value store (:meth:`CounterDB.get_setting`). Reading it by
string key all over the code spread the key names, the defaults and the "what if someone stored
text where a number belongs" handling over twenty files; the three groups the code reads most are
frozen dataclasses here, loaded in one query and saved in one transaction:

* :class:`AgencySettings` — who issues the papers (first-run setup, Cài đặt → Cơ quan);
* :class:`SyncSettings` — how to reach the provincial system (Cài đặt → Đồng bộ); the password is
  a sealed secret (:func:`counter_app.db.privacy.get_secret_setting`), never here;
* :class:`BackupSettings` — the backup schedule (Cài đặt → Sao lưu).

``load`` never raises on a damaged value: a hand-edited or wrongly-typed value falls back to the
default (the app must still start so the admin can fix it). ``save`` stores only what changed and
audits the names of the changed keys, in the caller's transaction if there is one.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from counter_app.db.database import CounterDB

_S = TypeVar("_S", bound="_Group")


def _text(value: Any, default: str) -> str:
    return default if value is None else str(value).strip()


def _float(value: Any, default: float, *, allow_zero: bool = False) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    if number != number or number < 0 or (number == 0 and not allow_zero):  # NaN, negative, zero
        return default
    return number


class _Group:
    """Shared load/save for a frozen dataclass whose fields map to setting keys (``KEYS``)."""

    KEYS: ClassVar[Mapping[str, str]]  # field name -> setting key

    @classmethod
    def _parse(cls: type[_S], raw: Mapping[str, Any]) -> _S:
        raise NotImplementedError

    @classmethod
    def load(cls: type[_S], cdb: CounterDB) -> _S:
        """The group from the settings table (defaults for absent or damaged values)."""
        keys = list(cls.KEYS.values())
        rows = cdb.conn.execute(
            f"SELECT key, value FROM settings WHERE key IN ({','.join('?' * len(keys))})", keys).fetchall()
        raw: dict[str, Any] = {}
        for key, value in rows:
            try:
                raw[key] = json.loads(value)
            except (TypeError, ValueError):
                raw[key] = None
        return cls._parse(raw)

    def values(self) -> dict[str, Any]:
        """Setting key -> value to store."""
        return {key: getattr(self, name) for name, key in self.KEYS.items()}

    def save(self, cdb: CounterDB, user_id: int | None = None) -> list[str]:
        """Store the values that changed and audit their key names; returns the changed keys."""
        from counter_app.db.setup import store_settings

        # Compared with what load() reads, so an absent key equal to its default is not written.
        with cdb.write():
            current = type(self).load(cdb).values()
            changed = {k: v for k, v in self.values().items() if current.get(k) != v}
            return store_settings(cdb, changed, user_id) if changed else []


@dataclass(frozen=True)
class AgencySettings(_Group):
    """The agency that issues the papers and signs them (Nghị định 30/2020 signature block)."""

    agency_code: str = ""            # mã định danh điện tử của cơ quan (dossier codes start with it)
    agency_name: str = ""
    parent_name: str = ""            # cơ quan chủ quản, e.g. Ủy ban nhân dân phường Ba Đình
    place_name: str = ""             # địa danh in «Ba Đình, ngày … tháng … năm …»
    unit_code: str = ""              # deciding unit; empty = the agency itself
    province_name: str = ""
    workstation_slot: int = 0        # this counter's number (keeps offline codes apart)
    provincial_system_name: str = ""  # printed in the QR; empty = the generic name + province
    signer_head_title: str = ""
    signer_authority: str = ""       # "" | KT. | TM. | TL. | TUQ. | Q.
    signer_title: str = ""
    signer_name: str = ""
    regulation_profile_override: str = ""  # empty = the form set in force on each day

    KEYS: ClassVar[Mapping[str, str]] = {f: f for f in (
        "agency_code", "agency_name", "parent_name", "place_name", "unit_code", "province_name",
        "workstation_slot", "provincial_system_name", "signer_head_title", "signer_authority", "signer_title",
        "signer_name", "regulation_profile_override")}

    @property
    def unit(self) -> str:
        """The deciding unit's code (the agency's own when none is set)."""
        return self.unit_code or self.agency_code

    @property
    def configured(self) -> bool:
        """Whether first-run setup has stored an agency code."""
        return bool(self.agency_code)

    @classmethod
    def _parse(cls, raw: Mapping[str, Any]) -> AgencySettings:
        texts = {name: _text(raw.get(key), "") for name, key in cls.KEYS.items() if name != "workstation_slot"}
        try:
            slot = int(raw.get("workstation_slot") or 0)
        except (TypeError, ValueError):
            slot = 0
        return cls(workstation_slot=slot, **texts)


@dataclass(frozen=True)
class SyncSettings(_Group):
    """Connection to the provincial one-stop system (the password is a sealed secret, not here)."""

    DEFAULT_INTERVAL_SECONDS: ClassVar[float] = 60.0
    DEFAULT_CATALOGUE_HOURS: ClassVar[float] = 6.0
    DEFAULT_WARN_DAYS: ClassVar[float] = 2.0

    endpoint: str = ""
    username: str = ""
    ca_file: str = ""                # extra CA bundle for a provincial server with a private CA
    deadline_seconds: float | None = None   # one call's budget, retries included; None = the client's
    interval_seconds: float = DEFAULT_INTERVAL_SECONDS  # between passes while idle
    catalogue_hours: float | None = DEFAULT_CATALOGUE_HOURS  # catalogue refresh period; None = never
    warn_days: float = DEFAULT_WARN_DAYS   # an item waiting longer is flagged

    KEYS: ClassVar[Mapping[str, str]] = {
        "endpoint": "provincial_endpoint", "username": "sync_username", "ca_file": "sync_ca_file",
        "deadline_seconds": "sync_deadline_seconds", "interval_seconds": "sync_interval_seconds",
        "catalogue_hours": "sync_catalogue_hours", "warn_days": "sync_warn_days"}

    @property
    def configured(self) -> bool:
        """An endpoint and an account are entered (the password is checked by the client)."""
        return bool(self.endpoint and self.username)

    @property
    def catalogue_interval(self) -> float | None:
        """Seconds between catalogue refreshes (None = switched off)."""
        return None if self.catalogue_hours is None else self.catalogue_hours * 3600.0

    @classmethod
    def _parse(cls, raw: Mapping[str, Any]) -> SyncSettings:
        k = cls.KEYS
        deadline = _float(raw.get(k["deadline_seconds"]), 0.0)
        # 0 or null switches the catalogue refresh off (as the runner has always read it).
        hours = raw.get(k["catalogue_hours"], cls.DEFAULT_CATALOGUE_HOURS)
        catalogue = None if not hours else _float(hours, cls.DEFAULT_CATALOGUE_HOURS)
        return cls(endpoint=_text(raw.get(k["endpoint"]), ""), username=_text(raw.get(k["username"]), ""),
                   ca_file=_text(raw.get(k["ca_file"]), ""), deadline_seconds=deadline or None,
                   interval_seconds=_float(raw.get(k["interval_seconds"]), cls.DEFAULT_INTERVAL_SECONDS),
                   catalogue_hours=catalogue,
                   warn_days=_float(raw.get(k["warn_days"]), cls.DEFAULT_WARN_DAYS))


@dataclass(frozen=True)
class BackupSettings(_Group):
    """The backup schedule: a folder (a USB disk), how often, how many backups to keep."""

    DEFAULT_INTERVAL_HOURS: ClassVar[int] = 24   # one a day (an int: the settings page's spin box takes it)
    DEFAULT_KEEP: ClassVar[int] = 14
    MAX_INTERVAL_HOURS: ClassVar[int] = 24 * 31
    MAX_KEEP: ClassVar[int] = 365

    folder: str = ""                 # empty = no scheduled backup
    interval_hours: float = DEFAULT_INTERVAL_HOURS
    keep: int = DEFAULT_KEEP

    KEYS: ClassVar[Mapping[str, str]] = {"folder": "backup_dir", "interval_hours": "backup_interval_hours",
                                         "keep": "backup_keep"}

    @property
    def path(self) -> Path | None:
        """The folder as a path (None = no schedule)."""
        return Path(self.folder) if self.folder else None

    @classmethod
    def _parse(cls, raw: Mapping[str, Any]) -> BackupSettings:
        k = cls.KEYS
        return cls(folder=_text(raw.get(k["folder"]), ""),
                   interval_hours=_float(raw.get(k["interval_hours"]), float(cls.DEFAULT_INTERVAL_HOURS)),
                   keep=int(_float(raw.get(k["keep"]), cls.DEFAULT_KEEP)))


def replace(group: _S, **changes: Any) -> _S:
    """A copy of a settings group with some fields changed (``dataclasses.replace``)."""
    return dataclasses.replace(group, **changes)  # type: ignore[type-var]


__all__ = ["AgencySettings", "BackupSettings", "SyncSettings", "replace"]
