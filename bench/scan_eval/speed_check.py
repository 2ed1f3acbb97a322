"""Behaviour check for speed work (issue #13, session 10): ``process_page`` on ~190 frames, one JSON
line each (quad, turn, confidences, warnings, blank, skew, a hash of the output image, CPU).

Run it from two trees (e.g. the base exported with ``git archive``) and diff the files with
``--compare``: a behaviour-preserving change shows no difference at all.

    python -m bench.scan_eval.speed_check out/check_new.jsonl [all|synth|real]
    python -m bench.scan_eval.speed_check --compare out/check_base.jsonl out/check_new.jsonl

Frames: 40 gen1 at 150 dpi (near-blanks included), every gen3 scene at 100 dpi (cards, slips,
lids, camera), gen3_text's cycle, skew, blank and orientation scenes at 150 dpi, 6 gen2 A4 pages
at 300 dpi, and the real pages no larger than 3600 px. No held-out generator (gen4/5/6).
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from collections.abc import Iterator

import numpy as np

from bench.scan_eval import gen2, gen3, gen3_text, run
from counter_app.scanning.pipeline import process_page


def frames(which: str) -> Iterator[tuple[str, np.ndarray, int | None]]:
    """(name, image, dpi or None) of the check frames."""
    if which in ("all", "synth"):
        for c in run.iter_gen1(40, 150):
            yield "gen1/" + c.name, c.image, c.dpi
        for i, s in enumerate(gen3.SCENES):
            p = gen3.generate_page(31, i, 100, scene=s)
            yield "gen3/" + s, p.image, p.dpi
        scenes = gen3_text.SCENES + gen3_text.SKEW_SCENES + gen3_text.BLANK_SCENES + gen3_text.ORIENT_SCENES
        for i, s in enumerate(scenes):
            p = gen3_text.generate_page(31, i, 150, scene=s)
            yield "gen3t/" + s, p.image, p.dpi
        for i, s in enumerate(("form_flat", "dense_flat", "table_feeder", "seal_feeder", "photocopy_flat", "a5_lid")):
            p = gen2.generate_page(21, i, 300, s)
            yield "gen2a4/" + s, p.image, p.dpi
    if which in ("all", "real"):
        for c in run.iter_real():
            if max(c.image.shape[:2]) <= 3600:
                yield "real/" + c.name, c.image, c.dpi


def dump(path: str, which: str) -> None:
    """Write one JSON line per frame to ``path``."""
    with open(path, "w", encoding="utf-8") as out:
        for name, img, dpi in frames(which):
            t0 = time.process_time()
            r = process_page(img, dpi or 300, dpi_trusted=dpi is not None)
            row = {"name": name, "quad": None if r.quad is None else np.round(np.asarray(r.quad, float), 6).tolist(),
                   "orientation": r.orientation, "oconf": r.orientation_confident, "sconf": r.skew_confident,
                   "warnings": r.warnings, "blank": r.blank, "skew": round(r.skew_deg, 6),
                   "hash": hashlib.sha1(np.ascontiguousarray(r.image).tobytes()).hexdigest()[:12],
                   "cpu": round(time.process_time() - t0, 3)}
            out.write(json.dumps(row) + "\n")
            out.flush()


def compare(base: str, new: str) -> int:
    """Print every frame whose result differs; the number of such frames."""
    def load(path: str) -> dict[str, dict]:
        with open(path, encoding="utf-8") as f:
            return {(r := json.loads(line))["name"]: r for line in f}

    a, b = load(base), load(new)
    fields = ("quad", "orientation", "oconf", "sconf", "warnings", "blank", "skew", "hash")
    bad = 0
    for name, rb in b.items():
        ra = a.get(name)
        if ra is None:
            continue
        d = [f for f in fields if ra[f] != rb[f]]
        if d:
            bad += 1
            print(name, {f: (ra[f], rb[f]) for f in d})
    print(f"{len(b)} frames, {bad} with any difference; CPU {sum(r['cpu'] for r in a.values()):.1f} s → "
          f"{sum(r['cpu'] for r in b.values()):.1f} s")
    return bad


if __name__ == "__main__":
    if sys.argv[1] == "--compare":
        sys.exit(1 if compare(sys.argv[2], sys.argv[3]) else 0)
    dump(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "all")
