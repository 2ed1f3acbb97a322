"""Versioned, named, ordered migrations (sqlite-utils ``Migrations``).

Each migration runs in its own transaction together with its record. A database that has applied
a migration this build does not know was written by a newer version of the app; opening it is
refused rather than risking a silent downgrade of its data.

Dates are stored as local (Asia/Ho_Chi_Minh) ISO text ``YYYY-MM-DD HH:MM:SS`` so they sort and
compare as text and read naturally in backups.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from sqlite_utils import Database, Migrations

from counter_app.errors import DatabaseTooNew

if TYPE_CHECKING:
    from counter_app.db.database import CounterDB

MIGRATION_SET = "counter_app"
migrations = Migrations(MIGRATION_SET)


def _run_script(db: Database, script: str) -> None:
    """Execute a multi-statement script inside the caller's transaction.

    ``sqlite3.executescript`` would COMMIT first and break the migration's atomicity, so the script
    is split on complete statements (trigger bodies contain semicolons) and run one by one.
    """
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            db.conn.execute(pending)
            pending = ""
    if pending.strip():
        raise ValueError(f"incomplete SQL statement in migration: {pending[:80]!r}")


@migrations(name="0001_core")
def m0001_core(db: Database) -> None:
    """Settings, users, catalogue, citizens, dossiers, files, events, outbox, calendar, codes."""
    _run_script(
        db,
        """
        CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);

        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL UNIQUE COLLATE NOCASE,
            full_name TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('officer', 'supervisor', 'admin')),
            password_hash TEXT,
            active INTEGER NOT NULL DEFAULT 1,
            failed_logins INTEGER NOT NULL DEFAULT 0,
            locked_until TEXT,
            signing_cert_path TEXT,
            created_at TEXT NOT NULL
        );

        CREATE TABLE procedures (
            code TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            name_folded TEXT NOT NULL,
            field_code TEXT NOT NULL,
            field_name TEXT NOT NULL,
            processing_days REAL,
            processing_hours REAL,
            cutoff_time TEXT,
            processing_text TEXT NOT NULL DEFAULT '',
            online_level TEXT NOT NULL CHECK (online_level IN ('toan_trinh', 'mot_phan', 'khong')),
            online_only INTEGER NOT NULL DEFAULT 0,
            result_name TEXT NOT NULL DEFAULT '',
            legal_basis TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL DEFAULT '',
            level TEXT NOT NULL DEFAULT 'xa',
            active INTEGER NOT NULL DEFAULT 1,
            catalogue_version TEXT,
            data TEXT NOT NULL  -- the full procedure as JSON (components, fees, extra fields)
        );

        CREATE TABLE procedure_components (
            procedure_code TEXT NOT NULL REFERENCES procedures(code) ON DELETE CASCADE,
            code TEXT NOT NULL,
            position INTEGER NOT NULL,
            name TEXT NOT NULL,
            originals INTEGER NOT NULL DEFAULT 0,
            copies INTEGER NOT NULL DEFAULT 0,
            required INTEGER NOT NULL DEFAULT 1,
            show_only INTEGER NOT NULL DEFAULT 0,
            note TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (procedure_code, code)
        );

        CREATE TABLE procedure_fees (
            procedure_code TEXT NOT NULL REFERENCES procedures(code) ON DELETE CASCADE,
            code TEXT NOT NULL,
            name TEXT NOT NULL,
            kind TEXT NOT NULL,
            amount INTEGER NOT NULL DEFAULT 0,
            online_amount INTEGER,
            set_by_province INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (procedure_code, code)
        );

        CREATE TABLE citizens (
            id INTEGER PRIMARY KEY,
            id_number TEXT UNIQUE,          -- 12-digit personal ID; NULL for organisations
            old_id_number TEXT,
            full_name TEXT NOT NULL,
            name_folded TEXT NOT NULL,
            date_of_birth TEXT,
            gender TEXT,
            address TEXT NOT NULL DEFAULT '',
            phone TEXT NOT NULL DEFAULT '',
            email TEXT NOT NULL DEFAULT '',
            subject_type INTEGER NOT NULL DEFAULT 1 CHECK (subject_type BETWEEN 1 AND 4),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );

        CREATE TABLE dossiers (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,        -- client-generated id, stable across sync retries
            code TEXT UNIQUE,                -- mã hồ sơ; NULL until accepted
            procedure_code TEXT NOT NULL REFERENCES procedures(code),
            citizen_id INTEGER REFERENCES citizens(id),
            applicant_name TEXT NOT NULL,
            applicant_name_folded TEXT NOT NULL,
            applicant_id_number TEXT NOT NULL DEFAULT '',
            applicant_address TEXT NOT NULL DEFAULT '',
            phone TEXT NOT NULL DEFAULT '',
            email TEXT NOT NULL DEFAULT '',
            subject_type INTEGER NOT NULL DEFAULT 1 CHECK (subject_type BETWEEN 1 AND 4),
            channel INTEGER NOT NULL DEFAULT 1 CHECK (channel IN (1, 2, 3)),
            status INTEGER NOT NULL CHECK (status BETWEEN 1 AND 10),
            received_at TEXT NOT NULL,
            due_at TEXT,
            finished_at TEXT,
            returned_at TEXT,
            return_method INTEGER NOT NULL DEFAULT 0 CHECK (return_method IN (0, 1)),
            receiving_unit TEXT NOT NULL,    -- where it was received (boundary-free, NĐ 118/2025)
            deciding_unit TEXT NOT NULL,     -- who decides it
            regulation_profile TEXT NOT NULL,
            officer_id INTEGER REFERENCES users(id),
            workstation TEXT NOT NULL DEFAULT '',
            portal_code TEXT,                -- the portal's code for dossiers filed online
            summary TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT '',
            fee_total INTEGER NOT NULL DEFAULT 0,
            paused_days INTEGER NOT NULL DEFAULT 0,  -- working days waiting for supplements
            version INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX dossiers_received ON dossiers(received_at);
        CREATE INDEX dossiers_status_received ON dossiers(status, received_at);
        CREATE INDEX dossiers_due ON dossiers(due_at) WHERE status IN (2, 4, 5, 6);
        CREATE INDEX dossiers_officer_received ON dossiers(officer_id, received_at);
        CREATE INDEX dossiers_procedure_received ON dossiers(procedure_code, received_at);
        CREATE INDEX dossiers_name ON dossiers(applicant_name_folded);
        CREATE INDEX dossiers_idnum ON dossiers(applicant_id_number);
        CREATE INDEX dossiers_phone ON dossiers(phone);
        CREATE INDEX dossiers_citizen ON dossiers(citizen_id);

        -- Per-status counts kept by triggers: the dossier list shows them on every refresh and a
        -- GROUP BY over a million rows would cost ~100 ms each time.
        CREATE TABLE dossier_status_counts (status INTEGER PRIMARY KEY, n INTEGER NOT NULL);
        INSERT INTO dossier_status_counts(status, n)
            VALUES (1,0),(2,0),(3,0),(4,0),(5,0),(6,0),(7,0),(8,0),(9,0),(10,0);
        CREATE TRIGGER dossiers_count_ins AFTER INSERT ON dossiers BEGIN
            UPDATE dossier_status_counts SET n = n + 1 WHERE status = NEW.status;
        END;
        CREATE TRIGGER dossiers_count_del AFTER DELETE ON dossiers BEGIN
            UPDATE dossier_status_counts SET n = n - 1 WHERE status = OLD.status;
        END;
        CREATE TRIGGER dossiers_count_upd AFTER UPDATE OF status ON dossiers
            WHEN NEW.status <> OLD.status BEGIN
            UPDATE dossier_status_counts SET n = n - 1 WHERE status = OLD.status;
            UPDATE dossier_status_counts SET n = n + 1 WHERE status = NEW.status;
        END;

        CREATE TABLE dossier_components (
            id INTEGER PRIMARY KEY,
            dossier_id INTEGER NOT NULL REFERENCES dossiers(id) ON DELETE CASCADE,
            component_code TEXT NOT NULL,
            position INTEGER NOT NULL,
            name TEXT NOT NULL,
            originals INTEGER NOT NULL DEFAULT 0,
            copies INTEGER NOT NULL DEFAULT 0,
            required INTEGER NOT NULL DEFAULT 1,
            state TEXT NOT NULL CHECK (state IN ('received', 'missing', 'shown')),
            exempt_reason TEXT,              -- TT 03/2025 Đ5 exemption, if any
            reused_file_id INTEGER REFERENCES files(id),
            page_count_declared INTEGER,
            review_state TEXT NOT NULL DEFAULT 'none'
                CHECK (review_state IN ('none', 'pending', 'approved', 'rejected')),
            review_note TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT '',
            UNIQUE (dossier_id, component_code)
        );

        CREATE TABLE files (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            dossier_id INTEGER REFERENCES dossiers(id) ON DELETE CASCADE,
            dossier_component_id INTEGER REFERENCES dossier_components(id) ON DELETE SET NULL,
            kind TEXT NOT NULL CHECK (kind IN ('scan', 'result', 'form', 'attachment')),
            path TEXT NOT NULL,              -- relative to the data directory
            name TEXT NOT NULL,
            mime TEXT NOT NULL DEFAULT 'application/pdf',
            size INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            page_count INTEGER,
            signed INTEGER NOT NULL DEFAULT 0,
            created_by INTEGER REFERENCES users(id),
            created_at TEXT NOT NULL,
            meta TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX files_dossier ON files(dossier_id);
        CREATE INDEX files_component ON files(dossier_component_id);

        CREATE TABLE dossier_events (
            id INTEGER PRIMARY KEY,
            dossier_id INTEGER NOT NULL REFERENCES dossiers(id) ON DELETE CASCADE,
            at TEXT NOT NULL,
            kind TEXT NOT NULL,
            from_status INTEGER,
            to_status INTEGER,
            officer_id INTEGER REFERENCES users(id),
            detail TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX dossier_events_dossier ON dossier_events(dossier_id, at);

        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            event_id TEXT NOT NULL UNIQUE,
            dossier_id INTEGER REFERENCES dossiers(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('dossier_upsert', 'progress', 'file')),
            payload TEXT NOT NULL,
            created_at TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'uploading', 'synced', 'error', 'conflict')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT,
            last_error TEXT,
            synced_at TEXT
        );
        CREATE INDEX outbox_state ON outbox(state, next_attempt_at);
        CREATE INDEX outbox_dossier ON outbox(dossier_id);

        CREATE TABLE calendar_overrides (
            day TEXT PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('off', 'work')),
            note TEXT NOT NULL DEFAULT ''
        );

        -- Daily sequence per workstation slot: see counter_app.domain.codes for why.
        CREATE TABLE code_sequences (
            agency_code TEXT NOT NULL,
            day TEXT NOT NULL,
            slot INTEGER NOT NULL,
            last INTEGER NOT NULL,
            PRIMARY KEY (agency_code, day, slot)
        );
        """
    )


@migrations(name="0002_apology_and_return")
def m0002_apology_and_return(db: Database) -> None:
    """New appointment after an apology (Mẫu 04), and who collected the result."""
    _run_script(
        db,
        """
        ALTER TABLE dossiers ADD COLUMN new_due_at TEXT;
        ALTER TABLE dossiers ADD COLUMN returned_to TEXT NOT NULL DEFAULT '';
        """,
    )


@migrations(name="0003_audit_guidance_reviews")
def m0003_audit_guidance_reviews(db: Database) -> None:
    """Audit trail (hash-chained), online-filing guidance sessions, quality reviews of scans."""
    _run_script(
        db,
        """
        -- Append-only: each entry carries the hash of the previous one (see counter_app.db.audit).
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            user_id INTEGER REFERENCES users(id),
            action TEXT NOT NULL,
            object_type TEXT NOT NULL DEFAULT '',
            object_id TEXT NOT NULL DEFAULT '',
            detail TEXT NOT NULL DEFAULT '{}',
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        );
        CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
        CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

        -- «Hướng dẫn nộp trực tuyến»: one row per guidance session at the counter.
        CREATE TABLE guidance_sessions (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            officer_id INTEGER REFERENCES users(id),
            citizen_id INTEGER REFERENCES citizens(id),
            applicant_name TEXT NOT NULL DEFAULT '',
            procedure_code TEXT NOT NULL REFERENCES procedures(code),
            outcome TEXT NOT NULL CHECK (outcome IN ('filed_online', 'later', 'paper')),
            portal_code TEXT,
            reason_code TEXT,     -- why paper: no_eid | no_smartphone | not_fully_online | other
            reason_text TEXT NOT NULL DEFAULT '',
            dossier_id INTEGER REFERENCES dossiers(id),
            override_by INTEGER REFERENCES users(id),  -- supervisor who allowed paper for an online-only procedure
            override_reason TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX guidance_at ON guidance_sessions(at);

        -- Supervisor's quality review of a digitised component.
        CREATE TABLE component_reviews (
            id INTEGER PRIMARY KEY,
            dossier_component_id INTEGER NOT NULL REFERENCES dossier_components(id) ON DELETE CASCADE,
            file_id INTEGER REFERENCES files(id),
            reviewer_id INTEGER REFERENCES users(id),
            at TEXT NOT NULL,
            decision TEXT NOT NULL CHECK (decision IN ('approved', 'rejected')),
            reason TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX component_reviews_component ON component_reviews(dossier_component_id);

        -- Satisfaction and complaints where recorded (QĐ 766 group 5).
        ALTER TABLE dossiers ADD COLUMN satisfaction INTEGER;     -- 1..5 when the citizen rated
        ALTER TABLE dossiers ADD COLUMN complaint INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX dossiers_finished ON dossiers(finished_at);
        CREATE INDEX dossiers_channel_received ON dossiers(channel, received_at);
        """,
    )


@migrations(name="0004_sealed_personal_fields")
def m0004_sealed_personal_fields(db: Database) -> None:
    """Blind indexes and masked copies for the personal columns (encryption at rest).

    See :mod:`counter_app.db.privacy`: in an encrypted installation the personal columns hold
    sealed values; an exact ID number or phone is found through its blind index, and the dossier
    list shows the masked copies. Existing rows are all plain here (nothing was sealed before this
    migration): their masked copies are filled now, in one UPDATE; they get sealed and
    blind-indexed by ``privacy.seal_existing`` when an admin switches encryption on.
    """
    # The masks must equal what privacy.mask_id_number / mask_phone give new rows. Plain SQL does
    # the usual values (only letters/digits, at most 36 characters) — a million rows in a few
    # seconds; anything else (spaces, dots, very long) goes through those Python functions.
    from counter_app.db.privacy import mask_id_number, mask_phone

    db.conn.create_function("qmc_mask_id", 1, mask_id_number, deterministic=True)
    db.conn.create_function("qmc_mask_phone", 1, mask_phone, deterministic=True)
    stars = "'" + "*" * 36 + "'"
    idn, phone = "applicant_id_number", "phone"
    mask_id_sql = (
        f"CASE WHEN {idn} = '' THEN '' "
        f"WHEN length({idn}) <= 36 AND {idn} NOT GLOB '*[^0-9A-Za-z]*' THEN "
        f"  CASE WHEN length({idn}) < 8 THEN substr({stars}, 1, length({idn})) "
        f"  ELSE substr({idn}, 1, 4) || substr({stars}, 1, length({idn}) - 6) || substr({idn}, -2) END "
        f"ELSE qmc_mask_id({idn}) END"
    )
    mask_phone_sql = (
        f"CASE WHEN {phone} = '' THEN '' "
        f"WHEN length({phone}) <= 36 AND {phone} NOT GLOB '*[^0-9]*' THEN "
        f"  CASE WHEN length({phone}) < 7 THEN substr({stars}, 1, length({phone})) "
        f"  ELSE substr({phone}, 1, 3) || substr({stars}, 1, length({phone}) - 6) || substr({phone}, -3) END "
        f"ELSE qmc_mask_phone({phone}) END"
    )
    _run_script(
        db,
        f"""
        ALTER TABLE dossiers ADD COLUMN applicant_id_bidx TEXT;
        ALTER TABLE dossiers ADD COLUMN applicant_id_masked TEXT NOT NULL DEFAULT '';
        ALTER TABLE dossiers ADD COLUMN phone_bidx TEXT;
        ALTER TABLE dossiers ADD COLUMN phone_masked TEXT NOT NULL DEFAULT '';
        ALTER TABLE citizens ADD COLUMN id_bidx TEXT;

        -- Partial: plain installations never fill them, and an equality look-up can use them.
        CREATE INDEX dossiers_id_bidx ON dossiers(applicant_id_bidx) WHERE applicant_id_bidx IS NOT NULL;
        CREATE INDEX dossiers_phone_bidx ON dossiers(phone_bidx) WHERE phone_bidx IS NOT NULL;
        -- Sealed values are random per encryption, so UNIQUE(id_number) cannot see two equal numbers
        -- any more: in an encrypted installation the blind index carries the uniqueness.
        CREATE UNIQUE INDEX citizens_id_bidx ON citizens(id_bidx) WHERE id_bidx IS NOT NULL;

        UPDATE dossiers SET applicant_id_masked = {mask_id_sql}, phone_masked = {mask_phone_sql}
            WHERE applicant_id_number <> '' OR phone <> '';
        """,
    )


@migrations(name="0005_reception_attempt_token")
def m0005_reception_attempt_token(db: Database) -> None:
    """One row per reception attempt token (issue #14, retry-safe saving).

    ``services/reception.py`` writes it in the same transaction as the dossier, so a retry after a
    failed form render or store finds the dossier already received instead of receiving it twice.
    ``form_path`` is set once the form is stored (relative to the data directory).
    """
    _run_script(
        db,
        """
        CREATE TABLE reception_attempts (
            token TEXT PRIMARY KEY,
            dossier_id INTEGER NOT NULL REFERENCES dossiers(id) ON DELETE CASCADE,
            decision TEXT NOT NULL,
            form_path TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX reception_attempts_dossier ON reception_attempts(dossier_id);
        """,
    )


#: Settings the app rewrites on every sync pass or backup: state, not configuration. Changes to
#: them made by the app are not audited (they would bury the trail); made from outside, they are.
VOLATILE_SETTINGS = (
    "sync_pull_cursor", "sync_catalogue_version", "sync_catalogue_checked_at", "sync_pending_results",
    "sync_last_success_at", "sync_last_attempt_at", "sync_last_error_kind", "sync_last_error_message",
    "sync_last_error_at", "last_backup_at", "last_backup_path", "backup_checks", "reports_exported",
)


@migrations(name="0006_audit_triggers_and_anchors")
def m0006_audit_triggers_and_anchors(db: Database) -> None:
    """Changes to users, settings, dossiers, citizens and files leave an audit trace (issue #15 item 4).

    Triggers write one row into ``audit_pending`` per changed row; :func:`counter_app.db.audit.append`
    chains them into ``audit_log`` (action ``db_change``) in the same transaction as the app's next
    entry, and ``verify_chain`` reports every change made *outside the app*. "Outside" = through a
    connection the app did not open: app connections answer ``sqlite_compileoption_used(
    'QMC_APP_SESSION')`` with 1 (:class:`counter_app.db.database.CounterDB` overrides that built-in),
    any other connection with 0 (no SQLite build has that option). Users (accounts, roles, lock-out)
    and settings are recorded whoever changes them; dossiers, citizens and files only when changed
    from outside (the app audits its own changes with meaningful entries).

    ``audit_log.mac``: HMAC of the row's hash under a key derived from the data keys (not in the
    database), set when the keys are open, so an appended row with a recomputed SHA-256 is told
    apart from the app's own rows when the keys are present.

    Also: the masked phone copies keep only their last 3 digits (issue #15 item 9), recomputed
    from the old masks themselves (the number may be sealed; the mask is enough); and an
    installation holding dossier fields sealed to their column only is marked for re-sealing to
    their row (``privacy.UNBOUND_SETTING``, done by the encryption job at the next start).
    """
    outside = "NOT sqlite_compileoption_used('QMC_APP_SESSION')"  # database.APP_SESSION_OPTION
    volatile = ", ".join(f"'{k}'" for k in VOLATILE_SETTINGS)
    user_cols = ("username", "full_name", "role", "password_hash", "active", "failed_logins", "locked_until",
                 "signing_cert_path")
    security_cols = ("username", "full_name", "role", "password_hash", "active", "signing_cert_path")

    def changed(cols: tuple[str, ...]) -> str:
        # "role,active" — which columns an UPDATE changed (values are not copied: hashes, secrets).
        parts = " || ".join(f"CASE WHEN NEW.{c} IS NOT OLD.{c} THEN '{c},' ELSE '' END" for c in cols)
        return f"rtrim({parts}, ',')"

    def any_changed(cols: tuple[str, ...]) -> str:
        return " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in cols)

    stamp = "strftime('%Y-%m-%d %H:%M:%S', 'now', 'localtime')"

    def pending(table: str, op: str, ref: str, cols: str = "''") -> str:
        return (f"INSERT INTO audit_pending(at, object_type, object_id, op, columns, outside) "
                f"VALUES ({stamp}, '{table}', {ref}, '{op}', {cols}, {outside});")

    unbound = " OR ".join(f"substr({c}, 1, 5) = 'enc1:'" for c in
                          ("applicant_id_number", "applicant_address", "phone", "email"))
    unbound_citizens = " OR ".join(f"substr({c}, 1, 5) = 'enc1:'" for c in
                                   ("id_number", "old_id_number", "address", "phone", "email", "date_of_birth"))
    script = f"""
        ALTER TABLE audit_log ADD COLUMN mac TEXT;

        -- Dossier fields sealed to their column only (before row binding, issue #15 item 5): they
        -- keep opening until privacy.seal_existing has re-sealed them to their row.
        INSERT OR REPLACE INTO settings(key, value)
            SELECT 'dossier_fields_unbound', 'true' WHERE EXISTS (SELECT 1 FROM dossiers WHERE {unbound})
                OR EXISTS (SELECT 1 FROM citizens WHERE id_bidx IS NOT NULL AND ({unbound_citizens}));

        CREATE TABLE audit_pending (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            object_type TEXT NOT NULL,
            object_id TEXT NOT NULL,
            op TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
            columns TEXT NOT NULL DEFAULT '',
            outside INTEGER NOT NULL
        );

        CREATE TRIGGER audit_users_ins AFTER INSERT ON users BEGIN
            {pending('users', 'insert', 'NEW.id')}
        END;
        CREATE TRIGGER audit_users_upd AFTER UPDATE ON users
            WHEN {any_changed(security_cols)} OR ({outside} AND ({any_changed(user_cols)})) BEGIN
            {pending('users', 'update', 'NEW.id', changed(user_cols))}
        END;
        CREATE TRIGGER audit_users_del AFTER DELETE ON users BEGIN
            {pending('users', 'delete', 'OLD.id')}
        END;

        CREATE TRIGGER audit_settings_ins AFTER INSERT ON settings
            WHEN NEW.key NOT IN ({volatile}) OR {outside} BEGIN
            {pending('settings', 'insert', 'NEW.key')}
        END;
        CREATE TRIGGER audit_settings_upd AFTER UPDATE ON settings
            WHEN NEW.value IS NOT OLD.value AND (NEW.key NOT IN ({volatile}) OR {outside}) BEGIN
            {pending('settings', 'update', 'NEW.key')}
        END;
        CREATE TRIGGER audit_settings_del AFTER DELETE ON settings BEGIN
            {pending('settings', 'delete', 'OLD.key')}
        END;
    """
    for table in ("dossiers", "citizens", "files"):
        script += f"""
        CREATE TRIGGER audit_{table}_ins AFTER INSERT ON {table} WHEN {outside} BEGIN
            {pending(table, 'insert', 'NEW.id')}
        END;
        CREATE TRIGGER audit_{table}_upd AFTER UPDATE ON {table} WHEN {outside} BEGIN
            {pending(table, 'update', 'NEW.id')}
        END;
        CREATE TRIGGER audit_{table}_del AFTER DELETE ON {table} WHEN {outside} BEGIN
            {pending(table, 'delete', 'OLD.id')}
        END;
        """
    script += """
        UPDATE dossiers SET phone_masked = printf('%.*c', length(phone_masked) - 3, '*') || substr(phone_masked, -3)
            WHERE length(phone_masked) >= 7;
    """
    _run_script(db, script)


@migrations(name="0007_fee_snapshot_and_time_units")
def m0007_fee_snapshot_and_time_units(db: Database) -> None:
    """Fees frozen per dossier at reception, fees not entered yet, time units, online submission time.

    * ``dossier_fees``: the fees as they stood when the dossier was received (issue #16 row 1), so
      the receipt reprinted later and the record sent to the province never change with the
      catalogue. ``amount`` NULL = unknown (a fee the provincial council sets, not entered yet, or a
      per-page fee without its page count): printed blank, sent without ``Gia``.
    * ``procedure_fees.entered`` 0 = not entered; the catalogue used ``amount 0`` with
      ``set_by_province`` for that until now, so those rows are marked here. ``pricing`` =
      ``per_page`` for chứng thực (Thông tư 226/2016/TT-BTC).
    * ``procedures.time_unit``: working_days | calendar_days ("30 ngày" in the law).
    * ``dossiers.submitted_at``: when an online filing was submitted on the portal (NgayNopHoSo).

    Dossiers received before this migration get a snapshot of the fees as they are now — the best
    record there is of what applied.
    """
    _run_script(
        db,
        """
        ALTER TABLE procedures ADD COLUMN time_unit TEXT NOT NULL DEFAULT 'working_days';
        ALTER TABLE procedure_fees ADD COLUMN entered INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE procedure_fees ADD COLUMN pricing TEXT NOT NULL DEFAULT 'flat';
        ALTER TABLE dossiers ADD COLUMN submitted_at TEXT;
        UPDATE procedure_fees SET entered = 0 WHERE set_by_province = 1 AND amount = 0;
        -- The starter catalogue stored the "30 ngày" procedures as 21 working days; they are 30
        -- calendar days (issue #16 row 5). Only the shipped starter rows: a province's own import
        -- says what it says.
        UPDATE procedures SET time_unit = 'calendar_days', processing_days = 30,
               data = json_set(data, '$.time_unit', 'calendar_days', '$.processing_days', 30)
            WHERE code IN ('1.012812', 'TAM-KNTC-01', 'TAM-KNTC-02') AND processing_days = 21
              AND catalogue_version = 'starter';

        CREATE TABLE dossier_fees (
            dossier_id INTEGER NOT NULL REFERENCES dossiers(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            code TEXT NOT NULL,
            name TEXT NOT NULL,
            kind TEXT NOT NULL,
            unit_amount INTEGER,             -- per dossier, or per page for 'per_page'; NULL = not entered
            set_by_province INTEGER NOT NULL DEFAULT 0,
            pricing TEXT NOT NULL DEFAULT 'flat',
            pages INTEGER,                   -- chứng thực: pages of the original
            copies INTEGER,                  -- chứng thực: number of certified copies
            amount INTEGER,                  -- charged; NULL = unknown, never 0 by default
            PRIMARY KEY (dossier_id, code)
        );

        INSERT INTO dossier_fees(dossier_id, position, code, name, kind, unit_amount, set_by_province,
                                 pricing, amount)
            SELECT d.id, 0, f.code, f.name, f.kind,
                   CASE WHEN f.entered = 0 THEN NULL
                        WHEN d.channel = 2 AND f.online_amount IS NOT NULL THEN f.online_amount
                        ELSE f.amount END,
                   f.set_by_province, f.pricing,
                   CASE WHEN f.entered = 0 THEN NULL
                        WHEN d.channel = 2 AND f.online_amount IS NOT NULL THEN f.online_amount
                        ELSE f.amount END
            FROM dossiers d JOIN procedure_fees f ON f.procedure_code = d.procedure_code
            WHERE d.code IS NOT NULL;
        """,
    )



@migrations(name="0009_catalogue_fix_2_000806")
def m0009_catalogue_fix_2_000806(db: Database) -> None:
    """Kết hôn có yếu tố nước ngoài (2.000806): 15 calendar days, not 15 working days.

    Luật Hộ tịch 2014 Điều 38 khoản 3 says "15 ngày" where the same law writes "ngày làm việc"
    when it means working days (Điều 18, 28): a period in days counts calendar days, a last day
    that is a day off moves to the next working day (Bộ luật Dân sự 2015 Điều 147, 148). Only the
    shipped starter row still stored in working days is changed; a province's own import says what
    it says, and dossiers already received keep the due date they were given.
    """
    _run_script(
        db,
        """
        UPDATE procedures SET time_unit = 'calendar_days',
               data = json_set(data, '$.time_unit', 'calendar_days')
            WHERE code = '2.000806' AND processing_days = 15 AND time_unit = 'working_days'
              AND catalogue_version = 'starter';
        """,
    )

@migrations(name="0010_ward_replica")
def m0010_ward_replica(db: Database) -> None:
    """The ward replica (issue #19): other counters' dossiers pulled from the province.

    ``dossiers.owner_counter`` is '' for a dossier received at this counter, else the id of the
    counter that received it (:func:`counter_app.db.ward.counter_id` form); ``replica_as_of`` is
    the province's time of the state held for a replica. ``ward_counters`` says how fresh each
    counter's data is at the province (``last_push_at``) and here (``pulled_at``);
    ``sync_conflicts`` keeps each action of this counter the province refused because another
    counter acted first (nothing silently overwritten).
    """
    _run_script(
        db,
        """
        ALTER TABLE dossiers ADD COLUMN owner_counter TEXT NOT NULL DEFAULT '';
        ALTER TABLE dossiers ADD COLUMN replica_as_of TEXT;
        CREATE INDEX dossiers_owner_received ON dossiers(owner_counter, received_at);

        CREATE TABLE ward_counters (
            counter_id TEXT PRIMARY KEY,
            name TEXT NOT NULL DEFAULT '',
            agency_code TEXT NOT NULL,
            is_self INTEGER NOT NULL DEFAULT 0,
            last_push_at TEXT,
            pulled_at TEXT
        );

        CREATE TABLE sync_conflicts (
            id INTEGER PRIMARY KEY,
            dossier_uid TEXT NOT NULL,
            dossier_code TEXT,
            action TEXT NOT NULL,
            local_detail TEXT NOT NULL,
            province_detail TEXT NOT NULL,
            detected_at TEXT NOT NULL,
            acknowledged_at TEXT,
            acknowledged_by INTEGER
        );
        CREATE INDEX sync_conflicts_open ON sync_conflicts(acknowledged_at, detected_at);
        """,
    )


@migrations(name="0011_ward_conflicts")
def m0011_ward_conflicts(db: Database) -> None:
    """What an action on a replica needs (issue #19): the province's version and its result documents.

    ``province_version`` is the dossier's ``PhienBan`` at the province when it was last pulled: an
    action on a replica is sent with it as its base, and the province refuses it if another
    counter acted first. ``replica_results`` lists the province's result documents (JSON), fetched
    on demand. The pull cursor starts again from 0 once: the ward pull now also brings the other
    counters' dossiers, which the old pull skipped (applying the own ones again changes nothing).
    """
    _run_script(
        db,
        """
        ALTER TABLE dossiers ADD COLUMN province_version INTEGER;
        ALTER TABLE dossiers ADD COLUMN replica_results TEXT;
        CREATE INDEX sync_conflicts_dossier ON sync_conflicts(dossier_uid);
        UPDATE settings SET value = '0' WHERE key = 'sync_pull_cursor';
        """,
    )


@migrations(name="0012_ward_indexes")
def m0012_ward_indexes(db: Database) -> None:
    """The supervisor's deadline lists per counter of the ward (issue #19).

    «Quá hạn» / «Sắp đến hạn» of one counter walk running dossiers in due order and stop at 200
    rows. With 200,000 replicas of other counters the plain ``dossiers_due`` index makes that
    walk skip every other counter's running dossier (measured: 0.6 s for this counter's lists in
    ``bench/bench_ward_dashboard.py``); this one starts at the counter. Its condition is
    ``dossiers_due``'s, written the same way, so SQLite uses it for the same queries.
    """
    _run_script(
        db,
        """
        CREATE INDEX dossiers_owner_due ON dossiers(owner_counter, due_at) WHERE status IN (2, 4, 5, 6);
        """,
    )


def known_migrations() -> list[str]:
    """Names of the migrations this build knows, in order."""
    return [m.name for m in migrations._migrations]


def migrate(cdb: CounterDB) -> None:
    """Apply pending migrations; refuse a database written by a newer app."""
    applied = [m.name for m in migrations.applied(cdb.db)]
    unknown = [n for n in applied if n not in known_migrations()]
    if unknown:
        raise DatabaseTooNew(
            "Cơ sở dữ liệu này do phiên bản Quầy Một Cửa mới hơn tạo ra "
            f"(có bước cập nhật {', '.join(unknown)} mà phiên bản này không biết).",
            hint="Cài phiên bản mới nhất của ứng dụng; đừng mở dữ liệu này bằng bản cũ để tránh hỏng dữ liệu.",
        )
    migrations.apply(cdb.db)
    cdb.conn.execute(f"PRAGMA user_version = {len(known_migrations())}")
