"""Extract the fourth held-out real set (``real4``) into ``out/scan_eval/cache/real4``.

``real4`` was chosen in session 13 as that session's held-out real set, from public repositories no
earlier real set used: flatbed scans of book, magazine, journal, report and form pages (bilevel,
greyscale and colour; most fill the frame, one magazine spread sits on a black scanner lid, one
page is stored a quarter turn left), a signed contract page, a digitised letter on a dark ground,
till receipts scanned or captured flat, phone photos of receipts and a train ticket, of a printed page,
of book and magazine covers, a notebook and a menu flyer lying a quarter turn, and bank, gift and
business cards photographed on desks and in hands. Every image is read from a git snapshot of a
public repository at a pinned commit (``GIT_SOURCES``; ``--mirror DIR`` holds the snapshots as
``owner+name/repo``, obtained through the search tool's ``fetch``); images are never committed.
Each page's origin and licence is also recorded in ``real4_truth.json``; rendered images (typeset
test pages, screenshots, synthetic cards), images with composited text or a website watermark,
and images whose repository had no open licence were left out (docs/scan-evaluation.md, session
13 — real4, lists them).

Files keep their bytes, so each page's SHA-256 (``index.json``) is stable; a page whose snapshot
is missing is skipped with a message, so the set can be partial, never wrong.

Usage: ``python -m bench.scan_eval.fetch_real4 [--cache out/scan_eval/cache] [--mirror DIR]``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bench.scan_eval.fetch_real import DEFAULT_CACHE, DEFAULT_MIRROR, Item
from bench.scan_eval.fetch_real2 import extract

# origin -> (owner/name, pinned commit)
GIT_SOURCES = {
    "tess_test": ("tesseract-ocr/test", "232ff181c66516116ec0e84c4963f70de15050fd"),
    "ocropy": ("tmbdev/ocropy", "fe78a044691d06f769dafa5876ad552caba36c95"),
    "unstructured": ("Unstructured-IO/unstructured-inference", "56fadb3e9593858cf010247df4f12a8c3494ce48"),
    "cnocr": ("breezedeus/CnOCR", "4686db2e08952e7a7843d35b200d00f428efde7b"),
    "table_rec": ("RapidAI/TableStructureRec", "f79a85dbcbc0c14a5b5a14491a51d0855334d859"),
    "zxing": ("zxing/zxing", "7f129804e396958ae762da288da5df330d142da0"),
    "tess_ios": ("gali8/Tesseract-OCR-iOS", "35385f4f73ebf375757f0b22f6e13fcfa68e0d71"),
    "docres": ("ZZZHANG-jx/DocRes", "d8ad259bcbe4a9dff509951085493eb6287e3f16"),
    "cardscan": ("getbouncer/cardscan-android", "bf490afe479ec5d2b4c3276e74350fa26e82daa8"),
    "fm_scanner": ("fMeow/document-scanner", "4bdff1d8beabe4a0320d2fb84db087e6ee661efb"),
    "receipt_ocr": ("bhimrazy/receipt-ocr", "ac1c5fcd9c0d6fcea27aa2a39d2fd2ff54914a24"),
    "cardscan_ios": ("getbouncer/cardscan-ios", "1c6976e3220244314ab56ff5f9e126e118607b1d"),
    "veryfi_py": ("veryfi/veryfi-python", "3526b5a0f81aed770d756447a7c46fb70691901e"),
    "veryfi_js": ("veryfi/veryfi-nodejs", "b71e2b6c56e660308418d88a54d5318008ba4c5f"),
}

TESS_TEST = "Apache-2.0 (tesseract-ocr/test LICENSE; test images of the repository)"
OCROPY = "Apache-2.0 (tmbdev/ocropy LICENSE; test pages of the repository)"
UNSTRUCTURED = "Apache-2.0 (Unstructured-IO/unstructured-inference LICENSE; sample-docs of the repository)"
CNOCR = "Apache-2.0 (breezedeus/CnOCR LICENSE; docs/examples images of the repository)"
TABLE_REC = "Apache-2.0 (RapidAI/TableStructureRec LICENSE, © 2021 RapidAI Authors; test files of the repository)"
ZXING = "Apache-2.0 (zxing/zxing LICENSE; blackbox test photos of the repository)"
TESS_IOS = "MIT (gali8/Tesseract-OCR-iOS LICENSE.md, © 2014 Daniele Galiotto; test images of the repository)"
DOCRES = "MIT (ZZZHANG-jx/DocRes LICENSE, © 2024 Jiaxin Zhang; demo inputs of the repository)"
CARDSCAN = ("MIT (getbouncer/cardscan-android LICENSE, © 2011- Stripe, Inc.; instrumented-test photos of the "
            "repository)")
FM_SCANNER = "MIT (fMeow/document-scanner LICENSE, © 2018 Guoli Lyu; sample photos of the repository)"
CARDSCAN_IOS = ("MIT (getbouncer/cardscan-ios LICENSE at the pinned commit, © 2011- Stripe, Inc.; example photo of "
                "the repository; older commits carry a non-open Bouncer licence and are not used)")
VERYFI_PY = "MIT (veryfi/veryfi-python LICENSE, © 2019 Veryfi, Inc.; test asset of the repository)"
VERYFI_JS = "MIT (veryfi/veryfi-nodejs LICENSE, © Veryfi, Inc.; sample resources of the repository)"
RECEIPT_OCR = "MIT (bhimrazy/receipt-ocr LICENSE, © 2025 Bhimraj Yadav; sample images of the repository)"


def _it(origin: str, name: str, member: str, licence: str) -> Item:
    return Item(name, origin, member, licence, version=GIT_SOURCES[origin][1][:12])


CATALOGUE: list[Item] = [
    # flatbed scans: magazine, journal, report and book pages; a contract; a form
    _it("tess_test", "tt_magazine_spread_on_black", "testing/8071_093.3B.tif", TESS_TEST),
    _it("tess_test", "tt_magazine_page_bilevel", "testing/8087_054.3B.tif", TESS_TEST),
    _it("tess_test", "tt_hebrew_book_page_grey", "testing/hebtypo.jpg", TESS_TEST),
    _it("tess_test", "tt_eurotext_scan", "testing/eurotext.tif", TESS_TEST),
    _it("ocropy", "oc_old_book_page_yellowed", "OLD/0020_0022.png", OCROPY),
    _it("ocropy", "oc_ai_memo_cover_scan", "tests/aim916.tiff", OCROPY),
    _it("ocropy", "oc_journal_page_scan", "tests/testpage.png", OCROPY),
    _it("ocropy", "oc_fraktur_page_scan", "tests/wanderungen.png", OCROPY),
    _it("ocropy", "oc_fraktur_page_bilevel", "OLD/0211.bin.png", OCROPY),
    _it("unstructured", "ui_contract_page_signed_scan", "sample-docs/test-image.jpg", UNSTRUCTURED),
    _it("table_rec", "tsr_cn_form_scan_grey", "tests/test_files/wired/table_recognition.jpg", TABLE_REC),
    # a bilevel book-page scan stored a quarter turn left (the repository's own turned copy)
    _it("tess_ios", "tios_book_page_stored_left", "TestsProject/TestsProject/well_scaned_page_left.png", TESS_IOS),
    # a digitised 18th-century letter on a dark ground
    _it("docres", "dres_old_letter_on_dark", "input/for_binarization.png", DOCRES),
    # till receipt scanned (slip)
    _it("unstructured", "ui_receipt_scan", "sample-docs/receipt-sample.jpg", UNSTRUCTURED),
    # photos: a train ticket on a table, a stamped form filling the frame, a sheet under a leaf shadow
    _it("cnocr", "cn_train_ticket_photo", "docs/examples/huochepiao.jpeg", CNOCR),
    _it("table_rec", "tsr_stamped_form_photo", "tests/test_files/wired/squeeze_error.jpeg", TABLE_REC),
    _it("docres", "dres_page_photo_leaf_shadow", "input/for_deshadowing.jpg", DOCRES),
    # phone photos of a printed page, book and magazine covers, a notebook and a menu (several turned)
    *[_it("fm_scanner", f"fm_{s}", f"data/images/segment/{n}.jpg", FM_SCANNER)
      for s, n in (("printed_page_on_grey", 1526719858), ("book_cover_on_granite", 328817937),
                   ("notebook_on_slats", 33538838), ("magazine_on_white", 47866230),
                   ("menu_flyer_on_white", 743165244))],
    # till receipts photographed on wooden tables
    _it("receipt_ocr", "bh_receipt_us_on_wood", "images/main-street-restaurant-receipt.jpeg", RECEIPT_OCR),
    _it("receipt_ocr", "bh_receipt_np_on_dark_wood", "images/receipt.jpg", RECEIPT_OCR),
    # till receipts captured by a receipt app's users: a long pharmacy receipt, a hardware-store receipt
    _it("veryfi_py", "vf_receipt_long_pharmacy", "tests/assets/receipt_public.jpg", VERYFI_PY),
    _it("veryfi_js", "vf_receipt_hardware_store", "resources/receipt.png", VERYFI_JS),
    # cards: business cards with QR codes, bank and gift cards, on desks and in hands
    _it("zxing", "zx_business_card_in_hand", "core/src/test/resources/blackbox/qrcode-2/6.png", ZXING),
    *[_it("zxing", f"zx_qr_business_card_{s}", f"core/src/test/resources/blackbox/qrcode-1/{n}.png", ZXING)
      for s, n in (("on_desk", 19), ("in_hand", 17))],
    _it("cardscan_ios", "csi_amex_back_photo",
        "CardScanExample/CardScanExample/Images.xcassets/amex.imageset/amex.jpg", CARDSCAN_IOS),
    _it("veryfi_js", "vf_business_card_in_hand", "resources/business_card.jpg", VERYFI_JS),
    _it("cardscan", "cs_gift_card_back_on_wood", "scan-payment/src/androidTest/res/drawable/card_no_pan.png", CARDSCAN),
    _it("cardscan", "cs_bank_card_back_in_hand",
        "scan-framework/src/androidTest/res/drawable/ocr_card_numbers_clear.png", CARDSCAN),
]


def fetch(cache: Path, mirror: Path = DEFAULT_MIRROR) -> dict[str, dict[str, str]]:
    """Extract every catalogue page whose snapshot is present; returns name → {sha256, path, …}."""
    return extract(cache, mirror, "real4", GIT_SOURCES, CATALOGUE)


def main() -> None:
    """Extract and list the pages."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    ap.add_argument("--mirror", type=Path, default=DEFAULT_MIRROR,
                    help="folder of the git snapshots, as owner+name/repo")
    args = ap.parse_args()
    index = fetch(args.cache, args.mirror)
    print(f"{len(index)} pages in {args.cache / 'real4'}")


if __name__ == "__main__":
    main()
