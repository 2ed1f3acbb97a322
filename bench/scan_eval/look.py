"""Before/after sheets to look at: truth outline (red), the pipeline's outline (blue), its output.

Usage: ``python -m bench.scan_eval.look --set real|gen1|gen2 [--n 28] [--only name,name]``; sheets go
to ``out/scan_eval/look/<set>_NN.png`` (6 pages each: input with outlines, then the output).
"""

from __future__ import annotations

import argparse

import cv2
import numpy as np

from bench.scan_eval.run import DEFAULT_DPI, OUT, iter_gen1, iter_gen2, iter_real


def _thumb(img: np.ndarray, side: int) -> np.ndarray:
    h, w = img.shape[:2]
    s = side / max(h, w)
    t = cv2.resize(img, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)
    tile = np.full((side, side, 3), 235, np.uint8)
    tile[:t.shape[0], :t.shape[1]] = t
    return tile


def main() -> None:
    """Run the pipeline on a set and write the sheets."""
    from counter_app.scanning.pipeline import process_page

    ap = argparse.ArgumentParser()
    ap.add_argument("--set", default="real", choices=("real", "gen1", "gen2"))
    ap.add_argument("--n", type=int, default=28)
    ap.add_argument("--only", default=None)
    args = ap.parse_args()
    it = {"real": lambda: iter_real(), "gen1": lambda: iter_gen1(args.n, 100),
          "gen2": lambda: iter_gen2(args.n, 100)}[args.set]()
    folder = OUT / "look"
    folder.mkdir(parents=True, exist_ok=True)
    tiles: list[np.ndarray] = []
    k = 0
    for case in it:
        if args.only and case.name not in args.only.split(","):
            continue
        res = process_page(case.image, case.dpi or DEFAULT_DPI)
        img = case.image.copy()
        lw = max(2, max(img.shape[:2]) // 250)
        cv2.polylines(img, [np.round(np.asarray(case.truth["quad"])).astype(np.int32)], True, (0, 0, 255), lw)
        if res.quad is not None:
            cv2.polylines(img, [np.round(res.quad).astype(np.int32)], True, (255, 80, 0), lw)
        a, b = _thumb(img, 300), _thumb(res.image, 300)
        label = np.full((30, 600, 3), 255, np.uint8)
        cv2.putText(label, f"{case.name[:30]} o{res.orientation} s{res.skew_deg:+.2f} {','.join(res.warnings)[:30]}",
                    (3, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.42, (0, 0, 0), 1)
        tiles.append(np.vstack([np.hstack([a, b]), label]))
        if len(tiles) == 6:
            cv2.imwrite(str(folder / f"{args.set}_{k:02d}.png"), np.vstack([np.hstack(tiles[:2]), np.hstack(tiles[2:4]),
                                                                            np.hstack(tiles[4:6])]))
            tiles, k = [], k + 1
    if tiles:
        while len(tiles) < 6:
            tiles.append(np.full_like(tiles[0], 255))
        cv2.imwrite(str(folder / f"{args.set}_{k:02d}.png"), np.vstack([np.hstack(tiles[:2]), np.hstack(tiles[2:4]),
                                                                        np.hstack(tiles[4:6])]))
    print(f"sheets in {folder}")


if __name__ == "__main__":
    main()
