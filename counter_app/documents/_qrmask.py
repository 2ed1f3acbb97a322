"""Fast QR mask selection (ISO/IEC 18004 §7.8) with numpy.

The ``qrcode`` package picks the mask by laying the data out eight times in pure Python, about
20 ms CPU for a version-10 symbol — a third of a receipt's render time; this takes about 10 ms.
Here the data are laid out once (mask 0) and the other seven candidates are derived by XOR on
the data region; each candidate's function patterns and format/version information come from
``qrcode`` itself, so the symbols are bit-identical to what ``qrcode`` would build for that
mask (a test checks every mask).

This touches ``qrcode`` internals (``makeImpl``, ``setup_type_info``, the blank-matrix cache);
if they change, :func:`best_symbol` returns ``None`` and the caller falls back to ``qrcode``'s
own mask selection.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

import numpy as np
import qrcode.main
from numpy.lib.stride_tricks import sliding_window_view

log = logging.getLogger(__name__)

_FINDER_LIKE = (
    np.array([1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0], dtype=bool),
    np.array([0, 0, 0, 0, 1, 0, 1, 1, 1, 0, 1], dtype=bool),
)


@functools.lru_cache(maxsize=8 * 40)
def mask_pattern(index: int, n: int) -> np.ndarray:
    """Dark-where-true mask ``index`` (ISO/IEC 18004 Table 10) for an ``n`` x ``n`` symbol."""
    i, j = np.indices((n, n))
    if index == 0:
        return (i + j) % 2 == 0
    if index == 1:
        return i % 2 == 0
    if index == 2:
        return j % 3 == 0
    if index == 3:
        return (i + j) % 3 == 0
    if index == 4:
        return (i // 2 + j // 3) % 2 == 0
    if index == 5:
        return (i * j) % 2 + (i * j) % 3 == 0
    if index == 6:
        return ((i * j) % 2 + (i * j) % 3) % 2 == 0
    if index == 7:
        return ((i * j) % 3 + (i + j) % 2) % 2 == 0
    raise ValueError(f"bad mask pattern {index}")


def _run_penalty(a: np.ndarray) -> int:
    # N1: 3 + (length - 5) for each row run of >= 5 same-coloured modules.
    n = a.shape[0]
    padded = np.full((n, n + 1), -1, dtype=np.int8)  # sentinel column ends every row's last run
    padded[:, :n] = a
    flat = padded.ravel()
    starts = np.flatnonzero(np.concatenate(([True], flat[1:] != flat[:-1])))
    lengths = np.diff(np.append(starts, flat.size))
    lengths = lengths[flat[starts] >= 0]
    long_runs = lengths[lengths >= 5]
    return int((long_runs - 2).sum())


def penalty(a: np.ndarray) -> int:
    """ISO/IEC 18004 §7.8.3 penalty score of a masked symbol (lower is better)."""
    score = _run_penalty(a) + _run_penalty(a.T)
    # N2: 3 per 2x2 block of one colour.
    block = (a[:-1, :-1] == a[1:, :-1]) & (a[:-1, :-1] == a[:-1, 1:]) & (a[:-1, :-1] == a[1:, 1:])
    score += 3 * int(block.sum())
    # N3: 40 per 1:1:3:1:1 finder-like pattern with four light modules on one side.
    for m in (a, a.T):
        windows = sliding_window_view(m, 11, axis=1)
        for pattern in _FINDER_LIKE:
            score += 40 * int((windows == pattern).all(axis=2).sum())
    # N4: 10 per whole 5 % the dark share deviates from 50 %.
    dark = 100 * int(a.sum()) // a.size
    score += 10 * (abs(dark - 50) // 5)
    return score


def _function_layer(code: Any, mask: int) -> list[list[bool | None]]:
    # Function patterns plus format (and version) information for ``mask``; None = data module.
    modules = qrcode.main.copy_2d_array(qrcode.main.precomputed_qr_blanks[code.version])
    code.modules = modules
    code.setup_type_info(False, mask)
    if code.version >= 7:
        code.setup_type_number(False)
    return modules


def candidate_symbols(code: Any) -> list[np.ndarray]:
    """All eight masked symbols for ``code`` (a ``qrcode.QRCode`` with data and version set)."""
    code.makeImpl(False, 0)  # the one pure-Python layout of the data (also fills the blank cache)
    base = np.array(code.modules, dtype=bool)
    n = base.shape[0]
    first = np.array(_function_layer(code, 0), dtype=object)
    data = first == None  # noqa: E711 - elementwise comparison on an object array
    unmasked = base ^ (mask_pattern(0, n) & data)
    out = []
    for index in range(8):
        layer = first if index == 0 else np.array(_function_layer(code, index), dtype=object)
        function = layer.astype(bool)  # None (data) -> False; overwritten below anyway
        out.append(np.where(data, unmasked ^ mask_pattern(index, n), function))
    return out


def best_symbol(code: Any) -> tuple[tuple[bool, ...], ...] | None:
    """The lowest-penalty masked symbol, or ``None`` if ``qrcode``'s internals are not as expected."""
    try:
        candidates = candidate_symbols(code)
    except (AttributeError, KeyError, TypeError) as exc:  # qrcode changed its internals
        log.warning("fast QR mask selection unavailable (%s); using qrcode's own", exc)
        return None
    scores = [penalty(c) for c in candidates]
    best = candidates[scores.index(min(scores))]
    return tuple(tuple(row) for row in best.tolist())
