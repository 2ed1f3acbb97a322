"""The typed settings own their key names: no module reads an agency, sync or backup setting by string.

A ratchet like the architecture test's allow-list: files still to convert are named with how many
reads they hold; the count may fall (then lower it here), never rise, and no other file may start.
"""

from __future__ import annotations

import re
from pathlib import Path

from counter_app.db.settings import AgencySettings, BackupSettings, SyncSettings

ROOT = Path(__file__).resolve().parents[2]
KEYS = sorted({*AgencySettings.KEYS.values(), *SyncSettings.KEYS.values(), *BackupSettings.KEYS.values()})
READ = re.compile(r"""\b[gs]et_setting\(\s*["'](""" + "|".join(map(re.escape, KEYS)) + r""")["']""")
# Still to convert (issue #17 item 5), owned by the engineers working on those files now.
STILL = {
    "counter_app/services/digitise.py": 1,   # agency name in the scan stamp (two-stage save)
    "counter_app/services/ward.py": 2,       # PhongBanXuLy of a ward action
    "counter_app/sync/worker.py": 2,         # the ward scope and the client's agency
    "counter_app/db/ward.py": 3,             # this counter's id
}


def _reads() -> dict[str, int]:
    found: dict[str, int] = {}
    for path in sorted((ROOT / "counter_app").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel == "counter_app/db/settings.py":
            continue
        n = len(READ.findall(path.read_text(encoding="utf-8")))
        if n:
            found[rel] = n
    return found


def test_setting_keys_are_read_only_through_the_typed_settings() -> None:
    found = _reads()
    over = {f: n for f, n in found.items() if n > STILL.get(f, 0)}
    assert not over, f"string-keyed reads of typed settings (use AgencySettings/SyncSettings/BackupSettings): {over}"


def test_the_rule_can_fail() -> None:
    assert READ.search('x = cdb.get_setting("agency_code") or ""')
    assert READ.search("cdb.set_setting('backup_dir', folder)")
    assert not READ.search('cdb.get_setting("sync_pull_cursor", 0)')  # sync state, not a setting
