"""Personal columns of the database: the one place that knows them, seals, opens and looks them up.

Encryption is a property of the installation (see :mod:`counter_app.vault`): in an encrypted data
directory the personal columns below hold *sealed* values (``enc1:…``, AES-256-GCM with the column
name as additional data, :func:`counter_app.crypto.seal_field`); in a plain directory they hold the
plain text, as before. Either way every write goes through :func:`seal_row`, so no caller needs to
know which kind of directory it works in, and a locked encrypted directory refuses to write personal
data in clear (:class:`counter_app.vault.Locked`).

Beside the sealed columns the database keeps, per dossier:

* a **blind index** (``applicant_id_bidx``, ``phone_bidx``; ``citizens.id_bidx``): a keyed hash of
  the normalised number (:func:`counter_app.crypto.blind_index`) so an exact ID number or phone
  number still finds its rows through an index without the number being stored. Only encrypted
  installations have one (the key is needed); plain ones look up the plain column as before.
  ``citizens.id_bidx`` carries the uniqueness of a citizen's ID number (sealed values are random
  per encryption, so the old ``UNIQUE(id_number)`` cannot see two equal numbers any more).
* **masked copies** (``applicant_id_masked``, ``phone_masked``) for the dossier list, in both kinds
  of installation, so the list of 200 rows decrypts nothing:

  - ID number: first 4 and last 2 characters (``001090012345`` → ``0010******45``), the same as
    :func:`counter_app.domain.citizen_id.mask_id` and the log filter — enough to tell two rows
    apart at the counter, not enough to use the number;
  - phone: its digits, first 3 and last 3 kept (``0912 345 678`` → ``091****678``): the network
    prefix and the ending the citizen recognises.

What stays plain, on purpose (docs/security.md): names (the list and the name search need them),
dossier codes, procedures, dates, statuses, gender. A stolen database shows *who* filed *what* and
*when*, not their ID numbers, addresses, phones, e-mails or dates of birth.

Trade-off: in an encrypted installation a *partial* ID number or phone number no longer finds
anything (only the exact, full number does, through the blind index); plain installations and rows
not sealed yet keep the prefix search.
"""

from __future__ import annotations

import contextlib
import logging
import re
import sqlite3
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from counter_app.db.database import CounterDB
from counter_app.domain.citizen_id import mask_id
from counter_app.errors import CounterError

if TYPE_CHECKING:
    from counter_app import crypto

# ``counter_app.crypto`` (and the ``cryptography`` package, ~70 ms to import) is imported where a
# value is sealed or opened, not here: the GUI imports this module at start through db.dossiers.

log = logging.getLogger(__name__)

__all__ = [
    "LOOKUPS",
    "MASKED",
    "PERSONAL",
    "ROW_KEYS",
    "SECRET_SETTINGS",
    "UNBOUND_SETTING",
    "get_secret_setting",
    "id_lookup_clause",
    "is_sealed",
    "lookup_key",
    "lookup_keys",
    "mask_column",
    "mask_id_number",
    "mask_phone",
    "normalise",
    "open_row",
    "open_rows",
    "seal_column",
    "seal_existing",
    "seal_row",
    "seal_values",
    "set_secret_setting",
]

# Which columns of which table hold personal data (Nghị định 13/2023): sealed when encrypted.
PERSONAL: dict[str, tuple[str, ...]] = {
    "dossiers": ("applicant_id_number", "applicant_address", "phone", "email"),
    "citizens": ("id_number", "old_id_number", "address", "phone", "email", "date_of_birth"),
}
# Columns that keep an exact look-up: column -> (blind index column, kind of number).
# citizens.phone has none: nothing looks a citizen up by phone (reception finds them by ID number).
LOOKUPS: dict[str, dict[str, tuple[str, str]]] = {
    "dossiers": {"applicant_id_number": ("applicant_id_bidx", "id"), "phone": ("phone_bidx", "phone")},
    "citizens": {"id_number": ("id_bidx", "id")},
}
# Masked copies for lists: column -> (masked column, kind of number).
MASKED: dict[str, dict[str, tuple[str, str]]] = {
    "dossiers": {"applicant_id_number": ("applicant_id_masked", "id"), "phone": ("phone_masked", "phone")},
}
# Settings whose value is a secret, sealed like a personal field (AAD ``setting:<key>``).
SECRET_SETTINGS = frozenset({"sync_password"})
# Tables whose sealed fields are bound to their row too (issue #15 item 5), and the column holding
# the row's key. A dossier's ``uid`` exists before the row is written (client-generated), so its
# fields are sealed before the transaction. A citizen's key is the blind index of their ID number
# (unique per row, computed with the sealing); a citizen without one (an organisation, or a
# duplicate number left without its index) keeps column-only values.
ROW_KEYS: dict[str, str] = {"dossiers": "uid", "citizens": "id_bidx"}
#: Setting: this installation still holds dossier (or indexed citizen) fields sealed to their column
#: only (``enc1``, from before row binding); set by migration 0006, cleared when :func:`seal_existing`
#: re-sealed them. While it is set those values open; afterwards an ``enc1`` value in a dossier is
#: refused (citizens without an ID number keep ``enc1``, so there it always opens).
UNBOUND_SETTING = "dossier_fields_unbound"

# crypto.seal_field's prefixes (kept private there): a value starting with one of them is sealed.
_SEALED = "enc1:"
_BOUND = "enc2:"
_ID_SEPARATORS = re.compile(r"[\s.\-]")
_NON_DIGITS = re.compile(r"\D")


# ------------------------------------------------------------------------------ pure helpers
def is_sealed(value: Any) -> bool:
    """Whether a stored value is a sealed field (``enc1:…`` or row-bound ``enc2:…``)."""
    return isinstance(value, str) and value.startswith((_SEALED, _BOUND))


def mask_id_number(value: str | None) -> str:
    """Masked copy of an ID number for lists: ``001090012345`` → ``0010******45`` (see module doc)."""
    if not value or is_sealed(value):
        return ""
    return mask_id(value)


def mask_phone(value: str | None) -> str:
    """Masked copy of a phone number for lists: only its last 3 digits kept (``*******678``).

    Not the first 3 as well: the network prefix plus the last 3 leave 10,000 candidates for one
    mobile number, and the list is seen by everyone at the counter (issue #15, item 9).
    """
    if not value or is_sealed(value):
        return ""
    digits = _NON_DIGITS.sub("", value)
    if len(digits) < 7:
        return "*" * len(digits)
    return "*" * (len(digits) - 3) + digits[-3:]


def normalise(kind: str, value: str) -> str:
    """The form of a number that is blind-indexed, so ``001 090 012345`` and ``001090012345`` agree.

    ``id``: separators removed, upper case (passport numbers have letters). ``phone``: digits only,
    ``+84``/``84`` written as the leading ``0`` people type at the counter.
    """
    if kind == "id":
        return _ID_SEPARATORS.sub("", value).upper()
    digits = _NON_DIGITS.sub("", value)
    if digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits


def lookup_key(ring: crypto.KeyRing, kind: str, value: str) -> str | None:
    """Blind index of a number (None for an empty one); ``kind`` separates IDs from phones."""
    from counter_app import crypto

    norm = normalise(kind, value or "")
    return crypto.blind_index(ring, f"{kind}:{norm}") if norm else None


_MASKERS: dict[str, Callable[[str | None], str]] = {"id": mask_id_number, "phone": mask_phone}


def seal_values(ring: crypto.KeyRing | None, table: str, values: Mapping[str, Any],
                row_key: str | None = None) -> dict[str, Any]:
    """``values`` (plain text, as the caller has them) ready to store in ``table``.

    The personal columns present are sealed when ``ring`` is given; their blind index (encrypted
    installations only) and masked copies are added. Other columns pass through. Pure: no database.
    A table in :data:`ROW_KEYS` needs the row's key (``row_key``, or its column in ``values``).
    """
    from counter_app import crypto

    if table == "dossiers":
        row_key = row_key or values.get(ROW_KEYS[table])
        if ring is not None and not row_key:
            # A bug, not the user: a sealed dossier field must be bound to its dossier.
            raise ValueError(f"sealing {table} fields needs the row's {ROW_KEYS[table]}")
    out = dict(values)
    for column, (bidx_col, kind) in LOOKUPS.get(table, {}).items():
        if column in values:
            plain = values[column] or ""
            out[bidx_col] = lookup_key(ring, kind, plain) if ring is not None else None
    for column, (masked_col, kind) in MASKED.get(table, {}).items():
        if column in values:
            out[masked_col] = _MASKERS[kind](values[column])
    if table == "citizens" and row_key is None:
        row_key = out.get(ROW_KEYS[table]) or None  # the blind index just computed (None: no ID number)
    if ring is not None:
        for column in PERSONAL[table]:
            plain = values.get(column)
            if plain and not is_sealed(plain):
                out[column] = crypto.seal_field(ring, str(plain), column, row_key or None)
    return out


# -------------------------------------------------------------------------------- database
def seal_row(cdb: CounterDB, table: str, values: Mapping[str, Any], *, row_key: str | None = None
             ) -> dict[str, Any]:
    """:func:`seal_values` with this data directory's keys (``row_key``: a dossier's ``uid``).

    Raises :class:`counter_app.vault.Locked` when the directory is encrypted but its keys are not
    open: personal data is never written in clear into an encrypted installation.
    """
    # The database, not only the key file, knows whether the directory was ever encrypted (lost keys.json).
    return seal_values(cdb.require_ring(), table, values, row_key)


def _ring_to_open(cdb: CounterDB) -> crypto.KeyRing:
    from counter_app import crypto, vault

    ring = vault.require_ring(cdb.root)  # Locked when encrypted and not opened
    if ring is None:
        raise crypto.DecryptionFailed(
            "Dữ liệu cá nhân trong cơ sở dữ liệu đã được mã hóa nhưng thư mục dữ liệu không có tệp khóa keys.json.",
            hint="Chép lại tệp keys.json từ bản sao lưu vào thư mục dữ liệu rồi khởi động lại chương trình.",
        )
    return ring


def open_rows(cdb: CounterDB, table: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Decrypt the personal columns of ``rows`` in place (plain values pass through); returns ``rows``.

    Only the columns present in the rows are touched, under their own names (the additional data
    of a sealed field is its column name, so an aliased column would not open). Row-bound values
    need the row's key column in the rows (``SELECT *`` has it).
    """
    columns = PERSONAL[table]
    if not any(is_sealed(row.get(c)) for row in rows for c in columns):
        return rows  # plain installation, or rows from before encryption: nothing to open
    from cryptography.exceptions import InvalidTag

    from counter_app import crypto

    ring = _ring_to_open(cdb)
    key_column = ROW_KEYS.get(table)
    # Citizens without an ID number keep column-only values, so those are always allowed there.
    allow_unbound = table != "dossiers" or bool(cdb.get_setting(UNBOUND_SETTING, False))
    try:
        crypto.open_fields(ring, rows, columns, row_key_column=key_column, allow_unbound=allow_unbound)
    except (InvalidTag, KeyError, ValueError) as exc:
        raise crypto.DecryptionFailed(
            "Không giải mã được thông tin cá nhân của hồ sơ (dữ liệu bị sửa hoặc khóa không khớp).",
            hint="Kiểm tra tệp keys.json có đúng của thư mục dữ liệu này; nếu không, khôi phục từ bản sao lưu.",
        ) from exc
    return rows


def open_row(cdb: CounterDB, table: str, row: dict[str, Any] | None) -> dict[str, Any] | None:
    """:func:`open_rows` for one row (None passes through)."""
    if row is None:
        return None
    open_rows(cdb, table, [row])
    return row


def _lookup_of(column: str) -> tuple[str, str]:
    for lookups in LOOKUPS.values():
        if column in lookups:
            return lookups[column]
    raise KeyError(f"no blind index for column {column!r}")


def id_lookup_clause(cdb: CounterDB, column: str, value: str, *, alias: str = "") -> tuple[str, list[Any]]:
    """SQL condition and parameters finding rows whose ``column`` equals ``value`` exactly.

    Encrypted installation: the blind index, *or* the plain value for rows not sealed yet (an
    installation switched to encryption is sealed by a background job, :func:`seal_existing`).
    Plain installation: plain equality, as before. ``alias`` qualifies the columns (``"c."``).
    Raises :class:`counter_app.vault.Locked` if the directory is encrypted and locked: a look-up
    that cannot see sealed rows would silently miss returning citizens.
    """
    from counter_app import vault

    bidx_col, kind = _lookup_of(column)
    ring = vault.require_ring(cdb.root)
    if ring is None:
        return f"{alias}{column} = ?", [value]
    return f"({alias}{bidx_col} = ? OR {alias}{column} = ?)", [lookup_key(ring, kind, value), value]


def _needs_sealing(table: str) -> str:
    """SQL predicate of rows :func:`seal_existing` still has to work on (for a row-bound table:
    also values sealed to their column only, which are re-sealed to their row)."""
    if table == "dossiers":
        terms = [f"({c} IS NOT NULL AND {c} <> '' AND substr({c}, 1, 5) <> '{_BOUND}')" for c in PERSONAL[table]]
    else:  # citizens: plain values, and column-only ones of a row that has a key to bind them to
        terms = [f"({c} IS NOT NULL AND {c} <> '' AND substr({c}, 1, 5) NOT IN ('{_SEALED}', '{_BOUND}'))"
                 for c in PERSONAL[table]]
        if table in ROW_KEYS:
            key = ROW_KEYS[table]
            terms += [f"({key} IS NOT NULL AND substr({c}, 1, 5) = '{_SEALED}')" for c in PERSONAL[table]]
    terms += [f"({b} IS NULL AND {c} IS NOT NULL AND {c} <> '')" for c, (b, _k) in LOOKUPS.get(table, {}).items()]
    terms += [f"({m} = '' AND {c} <> '')" for c, (m, _k) in MASKED.get(table, {}).items()]
    return " OR ".join(terms)


def seal_existing(
    cdb: CounterDB,
    *,
    batch: int = 500,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Seal every personal field not sealed yet (after an admin switched encryption on).

    Resumable and idempotent: rows are found by their state (a plain value, a missing blind index
    or masked copy), in id order, ``batch`` rows per transaction, so an interrupted run loses at
    most one uncommitted batch and the next run continues where the data says. ``progress`` gets
    ``(rows done, rows to do)``. Returns rows sealed per table, plus ``duplicates``: citizens whose
    normalised ID number another citizen row already has (they are sealed but keep no blind index,
    so the first row is the one found; a log line counts them).

    ``PRAGMA secure_delete`` is on while it runs and the WAL is truncated at the end, so the old
    plain text does not stay behind in free space of the database file.
    """
    from counter_app import crypto, vault

    ring = vault.require_ring(cdb.root)
    if ring is None:
        raise CounterError(
            "Thư mục dữ liệu chưa bật mã hóa nên không có gì để mã hóa.",
            hint="Bật mã hóa (Cài đặt → Mã hóa dữ liệu) trước khi mã hóa dữ liệu cũ.",
        )
    counts = {table: 0 for table in PERSONAL}
    counts["duplicates"] = 0
    total = sum(int(cdb.scalar(f"SELECT count(*) FROM {t} WHERE {_needs_sealing(t)}")) for t in PERSONAL)
    done = 0
    if progress:
        progress(0, total)
    previous = cdb.scalar("PRAGMA secure_delete")
    cdb.conn.execute("PRAGMA secure_delete = ON")
    try:
        for table in PERSONAL:
            cols = PERSONAL[table]
            extra = [b for b, _k in LOOKUPS.get(table, {}).values()]
            where = _needs_sealing(table)
            last = 0
            key_column = ROW_KEYS.get(table)
            select = ", ".join([*cols, *([key_column] if key_column else [])])
            while True:
                rows = cdb.query(
                    f"SELECT id, {select} FROM {table} WHERE id > ? AND ({where}) ORDER BY id LIMIT ?",
                    (last, int(batch)),
                )
                if not rows:
                    break
                last = int(rows[-1]["id"])
                # A row half-sealed by an older build, or sealed to its column only: work from plain.
                crypto.open_fields(ring, rows, cols, row_key_column=key_column)
                sealed = [seal_values(ring, table, {c: r[c] for c in cols},
                                      row_key=str(r[key_column]) if table == "dossiers" else None) for r in rows]
                targets = [*cols, *extra, *(m for m, _k in MASKED.get(table, {}).values())]
                with cdb.write():
                    if table == "citizens":
                        dropped = _drop_taken_blind_indexes(cdb, rows, sealed)
                        counts["duplicates"] += dropped
                        if dropped:  # no index left to bind to: those rows keep column-only values
                            sealed = [s if s.get("id_bidx") else _sealed_unbound(ring, r, cols)
                                      for s, r in zip(sealed, rows, strict=True)]
                    cdb.conn.executemany(
                        f"UPDATE {table} SET {', '.join(f'{c} = ?' for c in targets)} WHERE id = ?",
                        [[s.get(c) for c in targets] + [r["id"]] for s, r in zip(sealed, rows, strict=True)],
                    )
                counts[table] += len(rows)
                done += len(rows)
                if progress:
                    progress(done, total)
    finally:
        cdb.conn.execute(f"PRAGMA secure_delete = {int(previous or 0)}")
    if cdb.get_setting(UNBOUND_SETTING, False):
        cdb.set_setting(UNBOUND_SETTING, False)  # every dossier field is bound to its row now
    # The WAL still holds page images with the plain text; fold them in and cut the file to zero.
    with contextlib.suppress(sqlite3.Error):  # busy (another reader): the next checkpoint does it
        cdb.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    if counts["duplicates"]:
        log.warning("seal_existing: %d citizen rows share a normalised ID number with another row",
                    counts["duplicates"])
    log.info("seal_existing: %s", counts)
    return counts


def _sealed_unbound(ring: crypto.KeyRing, row: dict[str, Any], cols: tuple[str, ...]) -> dict[str, Any]:
    """A citizen row's values sealed to their columns only, without a blind index (a duplicate)."""
    from counter_app import crypto

    out = seal_values(None, "citizens", {c: row[c] for c in cols})
    for c in cols:
        if row[c] and not is_sealed(row[c]):
            out[c] = crypto.seal_field(ring, str(row[c]), c)
    out["id_bidx"] = None
    return out


def _drop_taken_blind_indexes(cdb: CounterDB, rows: list[dict[str, Any]], sealed: list[dict[str, Any]]) -> int:
    """Clear the blind index of citizens whose number another row already holds (unique index)."""
    wanted = [s["id_bidx"] for s in sealed if s.get("id_bidx")]
    taken: dict[str, int] = {}
    for chunk in range(0, len(wanted), 500):
        part = wanted[chunk:chunk + 500]
        for r in cdb.query(f"SELECT id, id_bidx FROM citizens WHERE id_bidx IN ({','.join('?' * len(part))})", part):
            taken[r["id_bidx"]] = int(r["id"])
    dropped = 0
    for s, r in zip(sealed, rows, strict=True):
        key = s.get("id_bidx")
        if key is None:
            continue
        owner = taken.setdefault(key, int(r["id"]))
        if owner != int(r["id"]):
            s["id_bidx"] = None
            dropped += 1
    return dropped


# ------------------------------------------------------------------------------- secrets
def set_secret_setting(cdb: CounterDB, key: str, value: str) -> None:
    """Store a secret setting (e.g. ``sync_password``): sealed when the directory is encrypted."""
    from counter_app import crypto

    ring = cdb.require_ring()
    stored = crypto.seal_field(ring, value, f"setting:{key}") if ring is not None and value else value
    cdb.set_setting(key, stored)


def get_secret_setting(cdb: CounterDB, key: str, default: str = "") -> str:
    """Read a secret setting stored by :func:`set_secret_setting` (plain values pass through)."""
    stored = cdb.get_setting(key)
    if stored is None:
        return default
    text = str(stored)
    if not is_sealed(text):
        return text
    from cryptography.exceptions import InvalidTag

    from counter_app import crypto

    try:
        return crypto.open_field(_ring_to_open(cdb), text, f"setting:{key}")
    except (InvalidTag, ValueError) as exc:
        raise crypto.DecryptionFailed(f"Không giải mã được cài đặt {key}.",
                                      hint="Nhập lại giá trị này trong Cài đặt.") from exc



# --------------------------------------------------------------------------- bulk (demo, import)
def seal_column(ring: crypto.KeyRing | None, column: str, values: list[Any],
                row_keys: list[str | None] | None = None) -> list[Any]:
    """One column of many rows sealed (unchanged when ``ring`` is None); empty values stay empty.

    ``row_keys``: each row's key, for a table in :data:`ROW_KEYS` (a dossier's ``uid``, a citizen's
    blind index; None leaves that row's value bound to the column only).
    """
    if ring is None:
        return values
    from counter_app import crypto

    keys: list[str | None] = list(row_keys) if row_keys is not None else [None] * len(values)
    return [crypto.seal_field(ring, str(v), column, k or None) if v and not is_sealed(v) else v
            for v, k in zip(values, keys, strict=True)]


def lookup_keys(ring: crypto.KeyRing | None, kind: str, values: list[Any]) -> list[str | None]:
    """Blind indexes of many numbers (all None when ``ring`` is None: plain installations have none)."""
    if ring is None:
        return [None] * len(values)
    return [lookup_key(ring, kind, v or "") for v in values]


def mask_column(kind: str, values: list[Any]) -> list[str]:
    """Masked copies of many numbers (``kind`` ``id`` or ``phone``)."""
    mask = _MASKERS[kind]
    return [mask(v) for v in values]
