"""Extract the third held-out real set (``real3``) into ``out/scan_eval/cache/real3``.

``real3`` was chosen in session 12 to add what the two earlier real sets lack: real ID-1 cards and
passport pages (scanned specimens with and without a border, business cards photographed on desks),
till receipts (scanned sideways, photographed on wood, in a hand) and phone photos of a printed page
taken at all four quarter turns. Every image is read from a git snapshot of a public repository at a
pinned commit (``GIT_SOURCES``; ``--mirror DIR`` holds the snapshots as ``owner+name/repo``,
obtained through the search tool's ``fetch``); images are never committed. Each page's origin and
licence is also recorded in ``real3_truth.json``; rendered images (drawn licences, PDF renders,
screenshots) and images whose licence was missing were left out (docs/scan-evaluation.md, session
12 — real3, lists them).

Files keep their bytes, so each page's SHA-256 (``index.json``) is stable; a page whose snapshot
is missing is skipped with a message, so the set can be partial, never wrong.

Usage: ``python -m bench.scan_eval.fetch_real3 [--cache out/scan_eval/cache] [--mirror DIR]``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bench.scan_eval.fetch_real import DEFAULT_CACHE, DEFAULT_MIRROR, Item
from bench.scan_eval.fetch_real2 import extract

# origin -> (owner/name, pinned commit)
GIT_SOURCES = {
    "docintel": ("Azure-Samples/document-intelligence-code-samples", "8ac994c2712f3104d00ca4224b0ded6fd1ecbf70"),
    "textractor": ("aws-samples/amazon-textract-textractor", "f34c34a6c75dd4675642e52c1bad5a6c0eaf8ee4"),
    "textract_samples": ("aws-samples/amazon-textract-code-samples", "3fb9e1cd3c0a8035aa623f0efe79a16a310f758a"),
    "mrz_detection": ("image-js/mrz-detection", "f86da8f7ea14960d4fab9de22da5cc02098b678e"),
    "table_det": ("RapidAI/RapidTableDetection", "ce3e4887df65b6629a8ac7b6ce9983783fc48347"),
    "tesseractjs": ("naptha/tesseract.js", "42eae669e4b3a66429d8516f078912cc747a89df"),
    "docscan_sdk": ("yushulx/python-document-scanner-sdk", "7ec101d9b874e8f3a1a18f3d3c3a1902f7bf224e"),
    # the receipts are Git-LFS pointers at the tip; this commit still holds the JPEG bytes (and the LICENSE)
    "receipt_parser": ("ReceiptManager/receipt-parser-legacy", "5902b794b3a23ff10c699cba2afd344bfefbb95b"),
    "kraken": ("mittagessen/kraken", "67df2800cf470fa7d84017938e2f1d1ef5679299"),
}

DOCINTEL = ("MIT (Azure-Samples/document-intelligence-code-samples LICENSE.md, © Microsoft Corporation; "
            "Data/ sample images)")
TEXTRACTOR = "Apache-2.0 (aws-samples/amazon-textract-textractor LICENSE; test images of the repository)"
TEXTRACT_SAMPLES = ("MIT-0 (aws-samples/amazon-textract-code-samples LICENSE, © 2019 Amazon.com, Inc. or its "
                    "affiliates; sample images)")
MRZ_DETECTION = "MIT (image-js/mrz-detection LICENSE, © 2018 image-js; test fixtures, specimen documents)"
TABLE_DET = "Apache-2.0 (RapidAI/RapidTableDetection LICENSE; test files of the repository)"
TESSERACTJS = "Apache-2.0 (naptha/tesseract.js LICENSE.md; benchmark image of the repository)"
DOCSCAN_SDK = "MIT (yushulx/python-document-scanner-sdk LICENSE, © 2022 Xiao Ling; example photos)"
KRAKEN = "Apache-2.0 (mittagessen/kraken LICENSE; test resource of the repository)"
RECEIPT_PARSER = ("Apache-2.0 (ReceiptManager/receipt-parser-legacy LICENSE at the pinned commit; the "
                  "repository's own receipt scans in data/img)")


def _it(origin: str, name: str, member: str, licence: str) -> Item:
    return Item(name, origin, member, licence, version=GIT_SOURCES[origin][1][:12])


CATALOGUE: list[Item] = [
    # ID-1 cards and passport pages: scanned specimens, business cards photographed
    _it("mrz_detection", "mrzd_id_fra_scan", "src/__tests__/fixtures/id1.jpg", MRZ_DETECTION),
    _it("mrz_detection", "mrzd_passport_est_scan", "src/__tests__/fixtures/id2.jpg", MRZ_DETECTION),
    _it("mrz_detection", "mrzd_id_aut_back_scan", "src/__tests__/fixtures/id_fail.png", MRZ_DETECTION),
    _it("docintel", "di_business_card_on_grey", "Data/business-card/business_card.jpg", DOCINTEL),
    _it("docintel", "di_business_card_ja_on_dark", "Data/business-card/bussiness-cards-japanese.png", DOCINTEL),
    # till receipts scanned sideways (slips)
    *[_it("receipt_parser", f"rp_receipt_{s}", f"data/img/IMG000{i}.jpg", RECEIPT_PARSER)
      for s, i in (("rewe", 1), ("penny_a", 3), ("real", 4), ("bakery", 6), ("penny_b", 7), ("dm", 8))],
    # phone photos: receipts on desks and in a hand, forms, printed pages at four quarter turns
    _it("docintel", "di_receipt_contoso_photo", "Data/receipt/contoso-receipt.png", DOCINTEL),
    *[_it("docintel", f"di_receipt_{s}_on_wood", f"Data/receipt/receipt-{f}.png", DOCINTEL)
      for s, f in (("fr", "french"), ("es", "spanish"), ("ja", "japanese"), ("tips", "with-tips"))],
    _it("textractor", "tx_receipt_faded_photo", "tests/fixtures/receipt_no_summary.png", TEXTRACTOR),
    _it("textractor", "tx_intake_form_photo", "tpipelinegeofinder/tests/data/patient_intake_form_sample.jpg",
        TEXTRACTOR),
    _it("textractor", "tx_application_photo", "tpipelinepagedimensions/tests/data/Textract-orginal-2021-05-10.png",
        TEXTRACTOR),
    _it("textract_samples", "ts_printed_lines_photo", "python/simple-document-image.jpg", TEXTRACT_SAMPLES),
    _it("textract_samples", "ts_two_column_photo", "python/two-column-image.jpg", TEXTRACT_SAMPLES),
    *[_it("docscan_sdk", f"ds_a4_on_wood_{r}", f"examples/official/{r}.png", DOCSCAN_SDK) for r in (0, 90, 180, 270)],
    # flatbed scans
    _it("table_det", "rtd_tractor_form_scan", "tests/test_files/chip.jpg", TABLE_DET),
    _it("textractor", "tx_immunization_form_scan", "tests/fixtures/signature.jpg", TEXTRACTOR),
    _it("tesseractjs", "tjs_book_page_scan", "benchmarks/data/meditations.jpg", TESSERACTJS),
    _it("kraken", "kr_old_book_page", "tests/resources/input.jpg", KRAKEN),
    _it("docintel", "di_marriage_licence_scan", "Data/marrige-certificates/marrige-certificates.png", DOCINTEL),
]


def fetch(cache: Path, mirror: Path = DEFAULT_MIRROR) -> dict[str, dict[str, str]]:
    """Extract every catalogue page whose snapshot is present; returns name → {sha256, path, …}."""
    return extract(cache, mirror, "real3", GIT_SOURCES, CATALOGUE)


def main() -> None:
    """Extract and list the pages."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    ap.add_argument("--mirror", type=Path, default=DEFAULT_MIRROR,
                    help="folder of the git snapshots, as owner+name/repo")
    args = ap.parse_args()
    index = fetch(args.cache, args.mirror)
    print(f"{len(index)} pages in {args.cache / 'real3'}")


if __name__ == "__main__":
    main()
