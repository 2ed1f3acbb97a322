"""Quầy Một Cửa — desktop app for Vietnam's one-stop counters.

Glossary (the English words are loose; the Vietnamese meaning rules):

- hồ sơ = dossier; mã hồ sơ = dossier code; thành phần hồ sơ = component.
- thủ tục hành chính (TTHC) = procedure; lĩnh vực = field.
- tiếp nhận = reception; hẹn trả = appointment (due) date; trả kết quả = return of the result.
- số hóa = digitisation; bộ phận một cửa = one-stop counter.

Core packages (``domain``, ``db``, ``scanning``, ``sync``, ``documents``) never import Qt;
``counter_app.ui`` is a thin layer over them.
"""

__version__ = "0.1.0"

import warnings as _warnings

# cryptography ≥ 51 deprecates DSA, and pyHanko imports DSAPrivateKey only to recognise such keys (the app
# never makes DSA keys). Without this every start would print the warning to the console; matched by its
# text and pyHanko's modules so that no other warning is hidden. The tests filter the same one by class.
_warnings.filterwarnings("ignore", message="DSA is deprecated", module=r"pyhanko\.")
