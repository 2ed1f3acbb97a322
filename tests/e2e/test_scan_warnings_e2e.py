"""The officer sees what the pipeline doubts (issue #13), under a real X server.

Frames from the page-finding tuning generator go through the app's own file import (Ctrl+I):
an ID card on a light lid, a phone photo of a page on cloth (no dpi in the file) and a plain
scanned page. The pipeline in the app decides what to doubt; the test then checks on the screen
that every doubted page stands out in the page strip (its tile is tinted) and no other page does,
and that R on the page whose direction is unsure turns it and clears the doubt — with real key
events, the way the officer works. Screenshots of each step go to ``out/e2e/<test name>/``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.e2e.conftest import main_window, unlock_and_login
from tests.e2e.xsession import App, wait_for

pytestmark = pytest.mark.e2e

TINT = (0xFF, 0xE9, 0xB3)  # the strip's background for a page to look at (scan_station._refresh_item)


def _frames(folder: Path) -> list[Path]:
    """Three files to import: a TIFF of two lid scans (with their dpi), a phone photo without dpi."""
    from PIL import Image

    from bench.scan_eval import gen3
    from counter_dev.testpages import generate_page

    def pil(bgr: np.ndarray) -> Image.Image:
        return Image.fromarray(np.ascontiguousarray(bgr[:, :, ::-1]))

    # 200 dpi, the scanning floor (DOMAIN §6): no "low resolution" note on the lid scans.
    card = gen3.generate_page(1, 0, 200, scene="card_front_white")
    page = generate_page(5, 0, 200, kind="feeder")
    photo = gen3.generate_page(1, 0, 150, scene="photo_cloth")
    assert card.dpi and photo.dpi is None
    lid = folder / "the-tren-nap.tif"
    pil(card.image).save(lid, save_all=True, append_images=[pil(page.image)], dpi=(card.dpi, card.dpi))
    snap = folder / "anh-chup.png"
    pil(photo.image).save(snap)
    return [lid, snap]


def _pages(data_dir: Path) -> list[dict[str, Any]]:
    """The open scan session's pages in strip order (its manifest is plain JSON, replaced atomically)."""
    for manifest in (data_dir / "tmp" / "scan-sessions").glob("*/manifest.json"):
        try:
            return list(json.loads(manifest.read_text(encoding="utf-8"))["pages"])
        except (OSError, ValueError, KeyError):
            continue
    return []


def _tinted_tiles(app: App, box: tuple[int, int, int, int]) -> int:
    """Tiles of the page strip inside ``box`` (screen x0, y0, x1, y1) that carry the "look at this page" tint."""
    import cv2

    x0, y0, x1, y1 = box
    region = app.frame()[y0:y1, x0:x1].astype(int)
    hit = ((np.abs(region - np.array(TINT)).sum(axis=2) <= 6) * 255).astype(np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(hit)
    return sum(1 for k in range(1, n) if stats[k, cv2.CC_STAT_AREA] >= 400)  # a caption's band, not a stray pixel


def test_doubted_pages_stand_out_and_r_turns_one(launch: Callable[..., App], tmp_path: Path) -> None:
    app = launch()
    code = app.query(
        "SELECT d.code FROM dossiers d WHERE d.code IS NOT NULL AND EXISTS (SELECT 1 FROM dossier_components "
        "dc WHERE dc.dossier_id = d.id AND dc.state = 'received') ORDER BY d.id LIMIT 1")[0]["code"]
    files = _frames(tmp_path)
    unlock_and_login(app)
    main = main_window(app)

    app.key("F4")                       # «Số hóa»; the dossier box has the focus
    app.type(code)
    app.key("Return")
    app.key("ctrl+i")                   # «Nhập tệp…»: two files typed into the name box, quoted
    dialog = app.wait_window("^Chọn tệp ảnh hoặc PDF")
    app.activate(dialog)
    app.type(" ".join(f'"{p}"' for p in files), officer=False)
    app.key("Return")
    pages = wait_for("3 pages processed", lambda: (lambda ps: ps if len(ps) == 3 and all(
        p["state"] == "processed" for p in ps) else None)(_pages(app.data_dir)), 180, 0.5, app._fail_shot)
    app.activate(main)
    app.settle(30)
    app.shot("ba-trang-canh-bao")

    doubted = [bool(p["warnings"]) for p in pages]
    unsure = [i for i, p in enumerate(pages) if "orientation_unsure" in p["warnings"]]
    assert any(doubted) and not all(doubted), f"the frames no longer give a mix of doubts: {pages}"
    assert unsure, f"no page with an unsure direction to turn: {[p['warnings'] for p in pages]}"
    photo = pages[2]
    assert photo["dpi_estimated"] and photo["dpi_rule"] != "device", "a photo's size is inferred, not its file's"

    # The strip fills the upper left of the station. Select the page nobody doubts (a selected
    # tile is painted in the selection colour), then count the tinted tiles on the screen.
    g = app.geometry(main)
    strip = (g["X"] + 190, g["Y"] + 110, g["X"] + g["WIDTH"] * 2 // 3, g["Y"] + g["HEIGHT"] * 2 // 3)
    calm = doubted.index(False)
    app.click(main, 280, 190)           # into the strip, on the first tile
    app.key("Home", *["Right"] * calm)
    assert _tinted_tiles(app, strip) == sum(doubted), "every doubted page's tile, and only those, stand out"
    app.shot("trang-khong-can-xem")

    # R on the first unsure page, chosen with the arrow keys from the first tile.
    app.key("Home", *["Right"] * unsure[0])
    app.key("r")
    turned = wait_for("the page turned and its doubt cleared", lambda: (lambda ps: ps[unsure[0]] if len(ps) == 3
                      and ps[unsure[0]].get("extra_rotation") == 90 else None)(_pages(app.data_dir)),
                      30, 0.3, app._fail_shot)
    assert "orientation_unsure" not in turned["warnings"]
    app.settle(30)
    app.shot("da-xoay-trang")
