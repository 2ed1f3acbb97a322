"""The one data directory.

Everything the app writes — database, scans, generated PDFs, logs, backups — lives under a single
directory so an admin can back it up, move it or encrypt it as one thing. Resolution order:
``--data-dir`` on the command line, then ``COUNTER_APP_DATA_DIR``, then the platform's per-user data
directory (platformdirs: ``%LOCALAPPDATA%\\QuayMotCua`` on Windows, ``~/.local/share/quay-mot-cua``
on Linux).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from counter_app.errors import EnvironmentProblem

ENV_VAR = "COUNTER_APP_DATA_DIR"
APP_NAME = "quay-mot-cua"
REPO_ROOT = Path(__file__).resolve().parents[1]
RESOURCES = REPO_ROOT / "resources"


@dataclass(frozen=True)
class DataDir:
    """Paths inside the data directory; :meth:`ensure` creates them."""

    root: Path

    @property
    def database(self) -> Path:
        """The SQLite database file."""
        return self.root / "counter.sqlite3"

    @property
    def scans(self) -> Path:
        """Digitised components (PDF), in per-month folders."""
        return self.root / "scans"

    @property
    def documents(self) -> Path:
        """Generated forms and reports."""
        return self.root / "documents"

    @property
    def logs(self) -> Path:
        """Rotating log files."""
        return self.root / "logs"

    @property
    def backups(self) -> Path:
        """Default backup target (an admin normally picks a USB disk instead)."""
        return self.root / "backups"

    @property
    def tmp(self) -> Path:
        """Scratch space on the same file system, so atomic renames stay atomic."""
        return self.root / "tmp"

    def ensure(self) -> DataDir:
        """Create the directory tree; raise a clear error if that is impossible."""
        try:
            for p in (self.root, self.scans, self.documents, self.logs, self.backups, self.tmp):
                p.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise EnvironmentProblem(
                f"Không tạo được thư mục dữ liệu {self.root}: {exc.strerror or exc}",
                hint="Chọn thư mục khác bằng --data-dir hoặc kiểm tra quyền ghi của tài khoản Windows.",
            ) from exc
        return self


def resolve_data_dir(cli_value: str | os.PathLike[str] | None = None) -> DataDir:
    """Return the data directory chosen by CLI flag, environment or platform default."""
    if cli_value:
        root = Path(cli_value)
    elif os.environ.get(ENV_VAR):
        root = Path(os.environ[ENV_VAR])
    else:
        root = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    return DataDir(root.expanduser().resolve())
