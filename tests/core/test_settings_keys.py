"""The typed settings own their key names: no module reads an agency, sync or backup setting by string.

Like the architecture test's allow-list, the files still to convert are named (their engineers are
changing them now); no other file may read these keys by string.
"""

from __future__ import annotations

import re
from pathlib import Path

from counter_app.db.settings import AgencySettings, BackupSettings, SyncSettings

ROOT = Path(__file__).resolve().parents[2]
KEYS = sorted({*AgencySettings.KEYS.values(), *SyncSettings.KEYS.values(), *BackupSettings.KEYS.values()})
READ = re.compile(r"""\b[gs]et_setting\(\s*["'](""" + "|".join(map(re.escape, KEYS)) + r""")["']""")
# Still to convert (issue #17 item 5), owned by the engineers working on those files now.
STILL = (
    "counter_app/services/digitise.py",   # agency name in the scan stamp (two-stage save, H17b)
    "counter_app/services/ward.py",       # PhongBanXuLy of a ward action (issue #19)
    "counter_app/sync/worker.py",         # the ward scope and the client's agency (issue #19)
    "counter_app/db/ward.py",             # this counter's id (issue #19)
)


def _reads() -> dict[str, int]:
    found: dict[str, int] = {}
    for path in sorted((ROOT / "counter_app").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel == "counter_app/db/settings.py" or rel in STILL:
            continue
        n = len(READ.findall(path.read_text(encoding="utf-8")))
        if n:
            found[rel] = n
    return found


def test_setting_keys_are_read_only_through_the_typed_settings() -> None:
    found = _reads()
    assert not found, f"string-keyed reads of typed settings (use AgencySettings/SyncSettings/BackupSettings): {found}"


def test_the_rule_can_fail() -> None:
    assert READ.search('x = cdb.get_setting("agency_code") or ""')
    assert READ.search("cdb.set_setting('backup_dir', folder)")
    assert not READ.search('cdb.get_setting("sync_pull_cursor", 0)')  # sync state, not a setting
