"""Extract the second held-out real set (``real2``) into ``out/scan_eval/cache/real2``.

``real2`` was chosen in session 11 from sources nobody on the project had tuned on, by what a
one-stop counter receives: ID-1 cards (specimen ID cards and driving licences, scanned or
photographed in a hand or on a desk), phone photos of documents (forms, letters, book pages,
till receipts on desks) and flatbed scans with small tilts and receipt slips. Every image is read
from a git snapshot of a public repository at a pinned commit (``GIT_SOURCES``; ``--mirror DIR``
holds the snapshots as ``owner+name/repo``, obtained through the search tool's ``fetch``);
images are never committed. Each page's origin and licence is also recorded in
``real2_truth.json``; images whose licence was unclear were left out (the notes in
docs/scan-evaluation.md, session 11 — real2, list them).

Files keep their bytes, so each page's SHA-256 (``index.json``) is stable; a page whose snapshot
is missing is skipped with a message, so the set can be partial, never wrong.

Usage: ``python -m bench.scan_eval.fetch_real2 [--cache out/scan_eval/cache] [--mirror DIR]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path

from bench.scan_eval.fetch_real import DEFAULT_CACHE, DEFAULT_MIRROR, Item, sha256_file

# origin -> (owner/name, pinned commit)
GIT_SOURCES = {
    "azure": ("Azure-Samples/cognitive-services-REST-api-samples", "4a3c5ca76318feb3f7cfb109e1f79c542eb14d01"),
    "mrzscanner": ("DocsaidLab/MRZScanner", "6ed0d8f1154925e4932c47b237811fc45241dea1"),
    "passporteye": ("konstantint/PassportEye", "d866f1b0c4cb182b4332739d7098d81225c31179"),
    "mrz": ("Arg0s1080/mrz", "c462e0c8ca72f0396b9d1d17062434cd1c32b76a"),
    "undistort": ("RapidAI/RapidUnDistort", "b627192d96f2a62222040c1f2bceb61851318c4d"),
    "deskew": ("sbrunner/deskew", "1b87804ead6b7fe3c8fac958ccd7d0c27a0a954f"),
    "page_dewarp": ("mzucker/page_dewarp", "d3257d7b564bff994187a872d00537bc2fda7d3d"),
    "jscanify": ("puffinsoft/jscanify", "3010c810997eeccf9132ce612d32e20c7faf87ab"),
}

AZURE = ("MIT (Azure-Samples/cognitive-services-REST-api-samples LICENSE.md, © Microsoft Corporation; "
         "Form Recognizer sample images)")
MRZSCANNER = "Apache-2.0 (DocsaidLab/MRZScanner LICENSE; the repository's own documentation/test images)"
PASSPORTEYE = ("MIT (konstantint/PassportEye LICENSE, © 2016 Konstantin Tretyakov; specimen documents in "
               "passporteye/mrz/testdata)")
MRZ = "GPL-3.0 (Arg0s1080/mrz LICENSE; specimen card images of the documentation)"
UNDISTORT = ("Apache-2.0 (RapidAI/RapidUnDistort README: 'Apache 2.0'; no LICENSE file in the tree; "
             "its test images)")
JSCANIFY = ("MIT (puffinsoft/jscanify LICENSE, © 2023 ColonelParrot; test photos of the repository, their "
            "origin not stated; test.png (a stock letterhead mock-up), test10.jpg (LearnOpenCV's) and test4–test9 "
            "(copies of an unlicensed repository's samples) left out)")
PAGE_DEWARP = "MIT (mzucker/page_dewarp LICENSE.txt, © 2016 Matt Zucker; example input of the repository)"
DESKEW = "MIT (sbrunner/deskew LICENSE, © 2019-2026 Stéphane Brunner; the repository's test/doc images)"


def _it(origin: str, name: str, member: str, licence: str) -> Item:
    return Item(name, origin, member, licence, version=GIT_SOURCES[origin][1][:12])


CATALOGUE: list[Item] = [
    # ID-1 cards: specimen ID cards and driving licences, scanned flat or photographed
    _it("mrzscanner", "mrzs_card_in_hand", "docs/test_mrz.jpg", MRZSCANNER),
    _it("mrzscanner", "mrzs_card_on_desk", "dataset/resources/finetune_mrz_img.jpg", MRZSCANNER),
    _it("passporteye", "pe_id_che", "passporteye/mrz/testdata/100_id-che.jpg", PASSPORTEYE),
    _it("passporteye", "pe_id_mac", "passporteye/mrz/testdata/100_id-mac.jpg", PASSPORTEYE),
    _it("passporteye", "pe_id_rou", "passporteye/mrz/testdata/100_id-rou.jpg", PASSPORTEYE),
    _it("passporteye", "pe_id_si", "passporteye/mrz/testdata/100_id-si.jpg", PASSPORTEYE),
    _it("passporteye", "pe_id_d", "passporteye/mrz/testdata/53_id-d.jpg", PASSPORTEYE),
    _it("passporteye", "pe_passport_nld", "passporteye/mrz/testdata/98_pass-nld.jpg", PASSPORTEYE),
    _it("mrz", "mrz_resident_usa", "docs/images/resident_cards/USA.png", MRZ),
    _it("mrz", "mrz_resident_usa_permanent", "docs/images/resident_cards/USA_Permanent.png", MRZ),
    _it("azure", "azure_driver_license_wa", "curl/form-recognizer/DriverLicense.png", AZURE),
    _it("azure", "azure_driver_license_wv", "curl/form-recognizer/rest-api/identity_documents.png", AZURE),
    _it("azure", "azure_insurance_card", "curl/form-recognizer/rest-api/insurance-card.png", AZURE),
    _it("azure", "azure_business_card_photo", "curl/form-recognizer/business-card-english.jpg", AZURE),
    # phone photos of documents
    _it("undistort", "undistort_contract_photo", "img/demo.jpg", UNDISTORT),
    _it("undistort", "undistort_form_photo", "tests/test_files/demo1.jpg", UNDISTORT),
    *[_it("jscanify", f"jscanify_{s}", f"docs/images/test/{f}", JSCANIFY)
      for s, f in (("a4_on_wood", "test2.png"), ("page_on_dark_wood", "test3.jpg"))],
    _it("azure", "azure_receipt_allinone", "curl/form-recognizer/contoso-allinone.jpg", AZURE),
    _it("azure", "azure_receipt_on_dark", "curl/form-recognizer/rest-api/receipt.png", AZURE),
    _it("page_dewarp", "dewarp_boston_cooking_a", "example_input/boston_cooking_a.jpg", PAGE_DEWARP),
    _it("page_dewarp", "dewarp_boston_cooking_b", "example_input/boston_cooking_b.jpg", PAGE_DEWARP),
    _it("passporteye", "pe_passport_lux_photo", "passporteye/mrz/testdata/100_pass-lux.jpg", PASSPORTEYE),
    _it("deskew", "deskew_photo_tilted", "doc/input.jpeg", DESKEW),
    # flatbed scans (small tilts, rotated pages) and slips
    _it("azure", "azure_form_scan_ja", "curl/form-recognizer/layout-page-001.jpg", AZURE),
    *[_it("deskew", f"deskew_scan_{i}", f"tests/deskew-{i}.png", DESKEW) for i in (1, 2, 6, 7, 8)],
]


def _git_dir(sources: dict[str, tuple[str, str]], origin: str, mirror: Path) -> Path:
    return mirror / sources[origin][0].replace("/", "+") / "repo"


def extract(cache: Path, mirror: Path, name: str, sources: dict[str, tuple[str, str]],
            catalogue: list[Item]) -> dict[str, dict[str, str]]:
    """Extract every page of ``catalogue`` whose snapshot is present into ``cache/name``; returns
    name → {sha256, path, …} (also written as ``index.json``). Shared by real2 and real3."""
    out_dir = cache / name
    out_dir.mkdir(parents=True, exist_ok=True)
    index: dict[str, dict[str, str]] = {}
    for origin, (repo, _commit) in sources.items():
        if not (_git_dir(sources, origin, mirror) / "HEAD").exists():
            print(f"  ! {repo} snapshot not found at {_git_dir(sources, origin, mirror)}: its pages are skipped")
    for it in catalogue:
        gd = _git_dir(sources, it.origin, mirror)
        if not (gd / "HEAD").exists():
            continue
        try:
            data = subprocess.run(["git", "--git-dir", str(gd), "show", f"{sources[it.origin][1]}:{it.member}"],
                                  check=True, capture_output=True).stdout
        except (subprocess.CalledProcessError, OSError) as e:
            print(f"  ! {it.name}: {it.member} not readable ({e})")
            continue
        out = out_dir / f"{it.name}{Path(it.member).suffix.lower()}"
        if not out.exists():
            out.write_bytes(data)
        index[it.name] = {"sha256": sha256_file(out), "path": str(out.relative_to(cache)), "origin": it.origin,
                          "repo": sources[it.origin][0], "version": it.version, "member": it.member,
                          "licence": it.licence}
    (out_dir / "index.json").write_text(json.dumps(index, indent=1, ensure_ascii=False))
    return index


def fetch(cache: Path, mirror: Path = DEFAULT_MIRROR) -> dict[str, dict[str, str]]:
    """Extract every catalogue page whose snapshot is present; returns name → {sha256, path, …}."""
    return extract(cache, mirror, "real2", GIT_SOURCES, CATALOGUE)


def main() -> None:
    """Extract and list the pages."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    ap.add_argument("--mirror", type=Path, default=DEFAULT_MIRROR,
                    help="folder of the git snapshots, as owner+name/repo")
    args = ap.parse_args()
    index = fetch(args.cache, args.mirror)
    print(f"{len(index)} pages in {args.cache / 'real2'}")


if __name__ == "__main__":
    main()
