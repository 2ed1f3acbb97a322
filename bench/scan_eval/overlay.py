"""Draw ground truth onto copies of the images, to check it by eye (the ground-truth method).

For each page: the truth outline in red, three lines at the truth skew angle in green (they
must run parallel to the text lines), the rotation needed and the class written on top. Sheets
of 12 thumbnails go to ``out/scan_eval/look/``; ``--strip NAME`` writes one full-resolution band
across the page's middle, where a 0.1° error is 1.7 px per 1000 px and can be seen.

Usage: ``python -m bench.scan_eval.overlay [--truth real_truth.json] [--strip NAME]``.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import cv2
import numpy as np

from bench.scan_eval.fetch_real import DEFAULT_CACHE, ROOT

OUT = ROOT / "out" / "scan_eval" / "look"


def draw(image: np.ndarray, t: dict, thick: int) -> np.ndarray:
    """A copy of ``image`` with the truth outline and skew lines drawn on it."""
    img = image.copy()
    h, w = img.shape[:2]
    quad = t.get("quad")
    if quad is None:
        quad = [[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]]
    cv2.polylines(img, [np.round(np.asarray(quad)).astype(np.int32)], True, (0, 0, 255), thick)
    if t.get("skew_deg") is not None:
        # content skew, counter-clockwise positive: going right, a text line rises (y decreases)
        slope = -math.tan(math.radians(float(t["skew_deg"])))
        cx = w / 2
        for fy in (0.3, 0.5, 0.7):
            y0 = h * fy
            p1 = (0, round(y0 + slope * (0 - cx)))
            p2 = (w - 1, round(y0 + slope * (w - 1 - cx)))
            cv2.line(img, p1, p2, (0, 170, 0), max(1, thick // 2))
    return img


def main() -> None:
    """Write the sheets (or one strip)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--truth", type=Path, default=Path(__file__).with_name("real_truth.json"))
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    ap.add_argument("--images", type=Path, default=None, help="folder of the images (default: the cache)")
    ap.add_argument("--strip", default=None)
    ap.add_argument("--only", default=None, help="comma-separated names")
    args = ap.parse_args()
    truth = json.loads(args.truth.read_text())["pages"]
    OUT.mkdir(parents=True, exist_ok=True)
    tiles = []
    for _sha, t in sorted(truth.items(), key=lambda kv: kv[1]["name"]):
        if args.only and t["name"] not in args.only.split(","):
            continue
        if args.strip and t["name"] != args.strip:
            continue
        folder = args.images or (args.cache / "real")
        path = folder / t["file"]
        img = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if img is None:
            continue
        h, w = img.shape[:2]
        if args.strip:
            band = draw(img, t, 1)[int(h * 0.4):int(h * 0.6)]
            cv2.imwrite(str(OUT / f"strip_{t['name']}.png"), band)
            print(OUT / f"strip_{t['name']}.png")
            return
        big = draw(img, t, max(2, round(max(h, w) / 250)))
        s = 330 / max(h, w)
        th = cv2.resize(big, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)
        tile = np.full((360, 330, 3), 200, np.uint8)
        tile[:th.shape[0], :th.shape[1]] = th
        cv2.putText(tile, t["name"][:24], (2, 343), cv2.FONT_HERSHEY_SIMPLEX, 0.38, (0, 0, 255), 1)
        cv2.putText(tile, f"{t['class']} rot{t['rotation']} sk{t.get('skew_deg')} bl{int(t['blank'])}",
                    (2, 356), cv2.FONT_HERSHEY_SIMPLEX, 0.36, (0, 0, 0), 1)
        tiles.append(tile)
    for k in range(0, len(tiles), 12):
        g = tiles[k:k + 12] + [np.full_like(tiles[0], 255)] * (12 - len(tiles[k:k + 12]))
        sheet = np.vstack([np.hstack(g[r * 4:(r + 1) * 4]) for r in range(3)])
        cv2.imwrite(str(OUT / f"truth{k // 12}.png"), sheet)
    print(f"{len(tiles)} pages drawn into {OUT}")


if __name__ == "__main__":
    main()
