"""The scan station end to end under a real X server (issue #17): an officer signed in with the
keyboard imports a 10-page PDF (Ctrl+I), assigns the pages (Ctrl+A, Ctrl+G), saves with their
certificate (Ctrl+S, passphrase) and opens the signed copy in the app's viewer (Enter on the
component). The PDF is built and signed off the database thread; the outcome is checked in the
database and the files, with a screenshot of every step in ``out/e2e/<test name>/``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from tests.e2e.conftest import PASSPHRASE, main_window, unlock_and_login
from tests.e2e.xsession import App, wait_for

pytestmark = pytest.mark.e2e

PAGES = 10


def _ten_page_pdf(path: Path) -> Path:
    """A 10-page A4 PDF at 200 dpi of synthetic office papers (the officer's "scanned elsewhere" file)."""
    from PIL import Image

    from counter_dev.testpages import generate_set

    sheets = [p.image for p in generate_set(31, 2 * PAGES) if not p.truth.blank][:PAGES]
    assert len(sheets) == PAGES
    images = [Image.fromarray(np.ascontiguousarray(s[:, :, ::-1])).resize((1654, 2339)) for s in sheets]
    images[0].save(path, save_all=True, append_images=images[1:], resolution=200.0)
    return path


def _processed_pages(data_dir: Path) -> int:
    """Pages of the open scan session the pipeline has finished (its manifest is plain JSON)."""
    best = 0
    for manifest in (data_dir / "tmp" / "scan-sessions").glob("*/manifest.json"):
        try:
            pages = json.loads(manifest.read_text(encoding="utf-8"))["pages"]
        except (OSError, ValueError, KeyError):
            continue  # being replaced right now (atomic rename): read it next time
        best = max(best, sum(p["state"] == "processed" for p in pages))
    return best


def _page_drawn(app: App) -> bool:
    """The viewer shows a page: a large light area right of its thumbnails."""
    viewer = next(w for w in app.windows() if w.title.startswith("Xem bản số hóa"))
    g = app.geometry(viewer)
    box = app.frame()[g["Y"] + 120: g["Y"] + g["HEIGHT"] - 80, g["X"] + 200: g["X"] + g["WIDTH"] - 30]
    return bool(box.size) and float((box.mean(axis=2) > 225).mean()) > 0.25


def test_import_ten_pages_save_signed_and_view(launch: Callable[..., App], tmp_path: Path) -> None:
    app = launch()
    code, dossier_id = app.query(
        "SELECT d.code, d.id FROM dossiers d WHERE d.code IS NOT NULL AND EXISTS (SELECT 1 FROM dossier_components "
        "dc WHERE dc.dossier_id = d.id AND dc.state = 'received') AND NOT EXISTS (SELECT 1 FROM files f "
        "WHERE f.dossier_id = d.id AND f.kind = 'scan') ORDER BY d.id LIMIT 1")[0]
    first = app.query("SELECT id, name FROM dossier_components WHERE dossier_id = ? AND state = 'received' "
                      "ORDER BY position LIMIT 1", (dossier_id,))[0]
    pdf = _ten_page_pdf(tmp_path / "ho-so-10-trang.pdf")
    officer = app.scalar("SELECT id FROM users WHERE username = 'canbo1'")
    unlock_and_login(app)
    main = main_window(app)

    app.key("F4")                       # «Số hóa»; the dossier box has the focus
    app.type(code)
    app.key("Return")
    app.shot("chon-ho-so")
    app.key("ctrl+i")                   # «Nhập tệp…»
    dialog = app.wait_window("^Chọn tệp ảnh hoặc PDF")
    app.activate(dialog)
    app.type(str(pdf), officer=False)
    app.key("Return")
    wait_for(f"{PAGES} pages processed", lambda: _processed_pages(app.data_dir) >= PAGES, 180, 0.5, app._fail_shot)
    app.activate(main)
    app.settle(30)
    app.shot("muoi-trang")

    # All pages to the first component (selected in the table), then save and sign.
    app.click(main, 280, 190)           # a click into the page strip (the first thumbnail)
    app.key("ctrl+a")                   # every page
    app.key("ctrl+g")                   # → the component selected in the table
    app.shot("gan-trang")
    app.key("ctrl+s")
    ask = app.wait_window("^Ký số bản điện tử")
    app.activate(ask)
    app.type(PASSPHRASE, officer=False)  # the demo certificates' passphrase (= the data passphrase)
    app.key("Return")
    row = wait_for("the signed scan registered", lambda: app.query(
        "SELECT path, page_count, signed, created_by FROM files WHERE dossier_component_id = ? AND kind = 'scan'",
        (first["id"],)) or None, 120, 0.5, app._fail_shot)[0]
    assert (row["page_count"], row["signed"], row["created_by"]) == (PAGES, 1, officer)
    stored = app.data_dir / row["path"]
    assert stored.is_file() and not stored.read_bytes().startswith(b"%PDF"), "stored encrypted at rest"
    assert not list((app.data_dir / "scans").rglob(".*.tmp")), "an interrupted write left behind"
    app.activate(main)
    app.settle(30)
    app.shot("da-luu")

    # Enter on the digitised component: its signed copy in the viewer, decrypted in memory.
    app.click(main, 600, 533)           # the component's row in the table
    app.key("Return")
    viewer = app.wait_window("^Xem bản số hóa", timeout=30)
    app.activate(viewer)
    wait_for("a rendered page", lambda: _page_drawn(app), 30, 0.5, app._fail_shot)
    app.settle(30)
    app.shot("xem-ban-so-hoa")
    app.key("Escape")
    app.wait_no_window("^Xem bản số hóa", timeout=10)
