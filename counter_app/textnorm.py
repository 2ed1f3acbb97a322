"""Vietnamese text normalisation.

Everything typed, scanned or imported goes through :func:`nfc` before it is stored, because
keyboard-wedge scanners and some Windows IMEs send NFD text that would otherwise compare unequal.
:func:`fold` gives the diacritic-insensitive key used for search ("Đăng ký" -> "dang ky").
"""

from __future__ import annotations

import unicodedata

# đ/Đ are separate letters, not d + combining mark, so NFD does not strip them.
_EXTRA_FOLD = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"})


def nfc(text: str) -> str:
    """Return ``text`` in Unicode NFC with surrounding whitespace removed."""
    return unicodedata.normalize("NFC", text).strip()


def fold(text: str) -> str:
    """Lower-case, strip diacritics (including đ → d) and collapse whitespace."""
    decomposed = unicodedata.normalize("NFD", text.translate(_EXTRA_FOLD))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())
