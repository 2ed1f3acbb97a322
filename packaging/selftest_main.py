"""``counter-app-selftest``: prove, inside the built bundle, that a scan can be built and signed.

    counter-app-selftest [--out FILE.pdf] [--pkcs11-module LIB --token-label L --pin-env VAR]

Runs the real code path of the scan station's save (test page → ``build_component_pdf`` →
``sign_pdf`` → ``check_signature``) with a throw-away self-signed PKCS#12 certificate, and, when a
PKCS#11 module is given, once more with the USB token. It exists because a frozen app has no Python
to run a snippet with; the smoke test (``packaging/smoke_test.py``) and an installer technician
on a ward PC both use it. Exit code 0 = every step passed. The PIN is read from an environment
variable, never from the command line (which other users of the PC can see).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path


def _scan_pdf() -> bytes:
    import cv2
    import numpy as np

    from counter_app.scanning.output import OutputOptions, PageImage, ScanMeta, build_component_pdf

    # A plain A4 page at 200 dpi (the legal minimum for a digitised copy), drawn with OpenCV so the
    # bundle's cv2 and JPEG encoder are exercised too; the realistic test-page generator is slower.
    page = np.full((2339, 1654, 3), 255, np.uint8)
    for i, line in enumerate(("QUAY MOT CUA - SELF TEST", "Trang thu ky so", "200 dpi A4")):
        cv2.putText(page, line, (150, 400 + 120 * i), cv2.FONT_HERSHEY_SIMPLEX, 2.2, (40, 40, 40), 4)
    cv2.rectangle(page, (120, 300), (1530, 800), (30, 30, 200), 6)
    meta = ScanMeta(dossier_code="000.00.00.H01-261206-0001", component_code="TP1", officer_name="Tự kiểm tra",
                    scanned_at=datetime.now().replace(microsecond=0), agency_name="Bộ cài đặt Quầy Một Cửa")
    return build_component_pdf([PageImage(page, 200.0)], meta, OutputOptions())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the checks; print one JSON line per step and return 0 if all passed."""
    p = argparse.ArgumentParser(prog="counter-app-selftest")
    p.add_argument("--out", type=Path, help="write the PKCS#12-signed scan here (for pdfsig)")
    p.add_argument("--pkcs11-module")
    p.add_argument("--token-label")
    p.add_argument("--pin-env", default="COUNTER_APP_TOKEN_PIN", help="environment variable holding the PIN")
    p.add_argument("--token-out", type=Path, help="write the token-signed scan here")
    args = p.parse_args(argv)

    from counter_app.scanning import signing
    from counter_app.scanning.output import stamp_box  # noqa: F401 (the import itself is part of the check)

    ok = True
    box = (36.0, 740.0, 300.0, 806.0)
    t0 = time.perf_counter()
    pdf = _scan_pdf()
    print(json.dumps({"step": "build_scan_pdf", "ok": True, "bytes": len(pdf),
                      "ms": round((time.perf_counter() - t0) * 1000)}), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        p12 = signing.create_demo_certificate("Cán bộ tự kiểm tra", Path(tmp) / "t.p12", "selftest")
        signer = signing.OfficerSigner.from_pkcs12(p12, "selftest")
        t0 = time.perf_counter()
        signed = signing.sign_pdf(pdf, signer, box)
        check = signing.check_signature(signed, [signer.certificate])
    good = check.valid and check.intact and check.trusted
    ok &= good
    print(json.dumps({"step": "sign_pkcs12", "ok": good, "signer": check.signer_name,
                      "ms": round((time.perf_counter() - t0) * 1000)}, ensure_ascii=False), flush=True)
    if args.out:
        args.out.write_bytes(signed)
    if args.pkcs11_module:
        cfg = signing.Pkcs11Config(module_path=args.pkcs11_module, token_label=args.token_label)
        t0 = time.perf_counter()
        try:
            tsigner = signing.OfficerSigner.from_pkcs11(cfg, os.environ.get(args.pin_env))
            try:
                tsigned = signing.sign_pdf(pdf, tsigner, box)
            finally:
                tsigner.close()
            tcheck = signing.check_signature(tsigned, [tsigner.certificate])
            tgood = tcheck.valid and tcheck.intact
            if args.token_out:
                args.token_out.write_bytes(tsigned)
            print(json.dumps({"step": "sign_pkcs11", "ok": tgood, "signer": tcheck.signer_name,
                              "ms": round((time.perf_counter() - t0) * 1000)}, ensure_ascii=False), flush=True)
        except signing.SigningError as exc:
            tgood = False
            print(json.dumps({"step": "sign_pkcs11", "ok": False, "error": exc.user_message()},
                             ensure_ascii=False), flush=True)
        ok &= tgood
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
