"""Benchmark: type-ahead search over a 2,000-procedure catalogue.

Run: ``.venv/bin/python bench/bench_catalogue_search.py [--procedures 2000] [--rounds 3]``

The catalogue is the shipped one plus synthetic variations built from real procedure names the way
provincial catalogues grow (the same procedure "đối với …" different subjects, "cấp lại", "lưu động",
"có yếu tố nước ngoài", local codes). Queries mix what officers type: full names with and without
diacritics, "kí"/"ký", half-typed words, codes and code prefixes, initials, keywords, nonsense.
Target (issue "Counter core"): p95 < 5 ms per query.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from counter_app.domain.catalogue import Procedure, load_default_catalogue
from counter_app.domain.search import CatalogueIndex
from counter_app.textnorm import fold

_PREFIXES = ["Cấp lại", "Điều chỉnh", "Gia hạn", "Thu hồi", "Công nhận", "Xác nhận", "Hỗ trợ", "Thẩm định"]
_SUFFIXES = [
    "đối với cá nhân", "đối với hộ gia đình", "đối với tổ chức", "lưu động", "có yếu tố nước ngoài",
    "tại khu vực biên giới", "cho người cao tuổi", "trong trường hợp đặc biệt", "theo hình thức trực tuyến",
    "đối với hợp tác xã", "cho trẻ em dưới 6 tuổi", "khi thay đổi nơi cư trú",
]


def build_catalogue(size: int, seed: int = 7) -> list[Procedure]:
    """The shipped procedures plus deterministic synthetic variations up to ``size``."""
    rng = random.Random(seed)
    real = load_default_catalogue()
    result = list(real)
    n = 0
    while len(result) < size:
        base = rng.choice(real)
        n += 1
        name = base.name
        roll = rng.random()
        if roll < 0.4:
            name = f"{name} {rng.choice(_SUFFIXES)}"
        elif roll < 0.7:
            name = f"{rng.choice(_PREFIXES)} {name[0].lower()}{name[1:]}"
        else:
            name = f"{rng.choice(_PREFIXES)} {name[0].lower()}{name[1:]} {rng.choice(_SUFFIXES)}"
        code = f"{rng.choice('1235')}.{900000 + n:06d}" if rng.random() < 0.9 else f"TAM-{n:05d}"
        result.append(dataclasses.replace(base, code=code, name=name, popularity=rng.randint(0, 20)))
    return result


def build_queries(procedures: list[Procedure], count: int, seed: int = 11) -> list[str]:
    """Realistic queries: names (accented / folded / kí), prefixes while typing, codes, initials."""
    rng = random.Random(seed)
    fixed = [
        "khai sinh", "dang ky khai sinh", "đăng kí khai sinh", "dang ky kh", "kết hôn", "ket hon",
        "1.001193", "1.0011", "2.000815", "001193", "DKKS", "dkkh", "tam tru", "thường trú", "ho khau",
        "so do", "chung thuc ban sao", "chứng thực chữ ký", "hộ kinh doanh", "tro cap", "mai tang",
        "xac nhan doc than", "d", "c", "x", "", "zzzz", "'; DROP TABLE procedures; --", "100%_", "🙂",
    ]
    queries = list(fixed)
    while len(queries) < count:
        p = rng.choice(procedures)
        words = p.name.split()
        kind = rng.random()
        if kind < 0.25:
            start = rng.randrange(len(words))
            q = " ".join(words[start:start + rng.randint(1, 3)])
        elif kind < 0.45:
            q = fold(" ".join(words[: rng.randint(1, 4)]))
        elif kind < 0.6:
            text = " ".join(words[: rng.randint(2, 5)])
            q = text[: rng.randint(3, len(text))]  # half-typed
        elif kind < 0.7:
            q = fold(" ".join(words[: rng.randint(2, 4)])).replace("ky", "ki")
        elif kind < 0.8:
            q = p.code[: rng.randint(3, len(p.code))]
        elif kind < 0.9:
            q = "".join(fold(w)[0] for w in words[: rng.randint(2, 4)] if fold(w))
        else:
            q = " ".join(fold(rng.choice(words)) for _ in range(2))
        queries.append(q)
    return queries


def main() -> None:
    """Build, run and print timing figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--procedures", type=int, default=2000)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    procedures = build_catalogue(args.procedures)
    t0 = time.perf_counter()
    index = CatalogueIndex(procedures)
    build_ms = (time.perf_counter() - t0) * 1000
    queries = build_queries(procedures, args.queries)

    timings: list[float] = []
    empty = 0
    for _ in range(args.rounds):
        for q in queries:
            start = time.perf_counter()
            hits = index.search(q, limit=20)
            timings.append((time.perf_counter() - start) * 1000)
            empty += not hits
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(f"procedures: {len(procedures)}  queries: {len(queries)} x {args.rounds} rounds")
    print(f"index build: {build_ms:.1f} ms")
    print(f"median: {statistics.median(timings):.3f} ms  p95: {p95:.3f} ms  max: {timings[-1]:.3f} ms")
    print(f"queries without a hit: {empty // args.rounds}")
    print("target p95 < 5 ms:", "OK" if p95 < 5 else "TOO SLOW")


if __name__ == "__main__":
    main()
