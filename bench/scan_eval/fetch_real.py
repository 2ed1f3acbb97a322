"""Download the public real-image set and extract its pages into ``out/scan_eval/cache/real``.

Sources (each page's origin and licence is also recorded in ``real_truth.json``):

* PyPI: OCRmyPDF's source distribution (``tests/resources``: real scans of a brochure, a book
  page, a typewriter text, printouts; rotated and skewed derivatives inside PDFs), scikit-image's
  wheel (``skimage/data/page.png``, ``text.png``) and jdeskew's sdist (``tests/test.png``);
  downloaded with ``pip download`` (the ordinary client).
* Leptonica's ``prog/`` sample images (book pages, newspaper columns, phone photos of paper,
  faint text), read from a local git snapshot of the public repository at a pinned commit
  (``--leptonica-git DIR``; obtained through the search tool's ``fetch``). Pages from a missing
  source are skipped with a message, so the set can be partial, never wrong.
* Phone photos of documents from three more public repositories, each read from its git snapshot
  at a pinned commit (``GIT_SOURCES``; ``--mirror DIR`` holds the snapshots as
  ``owner+name/repo``): Breta01/handwriting-ocr's ``data/pages`` (handwritten sheets and notebooks
  photographed on wood, cloth, dark and cluttered desks; MIT), lmmx/page-dewarp's example newspaper
  scan (MIT), clovaai/donut's sample images (a crumpled CORD receipt, CC-BY-4.0; a drawn page
  on black; MIT) and softmatic/vision-data's uncropped 300-dpi flatbed scans of till receipts laid
  in the corner of the glass on grey card, a dark lid or a white lid (CC-BY-4.0), and
  DocsaidLab/DocAligner's test photo of a specimen ID card held over a desk (Apache-2.0).

Each extracted page is named ``<name>.<ext>`` and identified by the SHA-256 of that file's bytes;
``index.json`` maps names to hashes. Files copied from an archive keep their bytes, so their hash
is stable; PDF pages are rendered with ``pdftoppm`` (poppler-utils), whose output can change
between poppler versions: a changed hash is reported, and the truth for it is then not used.

Usage: ``python -m bench.scan_eval.fetch_real [--cache out/scan_eval/cache]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CACHE = ROOT / "out" / "scan_eval" / "cache"
LEPTONICA_COMMIT = "227825f570f749bad91e55611a7202e1b48509d1"
DEFAULT_MIRROR = Path("/work/.mirror")
DEFAULT_LEPTONICA_GIT = DEFAULT_MIRROR / "DanBloomberg+leptonica" / "repo"

# Public repositories read from a git snapshot at a pinned commit: origin -> (owner/name, commit).
GIT_SOURCES = {
    "leptonica": ("DanBloomberg/leptonica", LEPTONICA_COMMIT),
    "handwriting-ocr": ("Breta01/handwriting-ocr", "64457fa24e8513d614111c554b8591943fc5c289"),
    "page-dewarp": ("lmmx/page-dewarp", "e152733dbe7fecfe5b58daf7168d7deba1b6a006"),
    "donut": ("clovaai/donut", "4cfcf972560e1a0f26eb3e294c8fc88a0d336626"),
    "vision-data": ("softmatic/vision-data", "9062febd225986dc567777015f11d3db3a363086"),
    "docaligner": ("DocsaidLab/DocAligner", "2554bd2e42e4abda9d209a3fa42d5cd7aac02ba2"),
}

# Archives on PyPI: (pip requirement, glob of the downloaded file, sdist or wheel).
PYPI = {
    "ocrmypdf": ("ocrmypdf==17.13.0", "ocrmypdf-17.13.0.tar.gz", True),
    "scikit-image": ("scikit-image==0.26.0", "scikit_image-0.26.0-*.whl", False),
    "jdeskew": ("jdeskew==0.4.2", "jdeskew-0.4.2.tar.gz", True),
}

OCRMYPDF_LINN = "GFDL-1.2-or-later OR CC-BY-SA-3.0 (© 1985 Forat Electronics; OCRmyPDF REUSE.toml)"
OCRMYPDF_SYNTH = "CC-BY-SA-4.0 (© 2025 James R. Barlow; OCRmyPDF REUSE.toml)"
LEPTONICA = "BSD-2-Clause (Leptonica licence, leptonica-license.txt; sample images of the distribution)"
SKIMAGE = "BSD-3-Clause (scikit-image; skimage/data/README.txt lists page.png and text.png as public domain / CC0)"
RECEIPTS = ("CC-BY-4.0 (softmatic/vision-data README, © Softmatic GmbH; receipts scanned uncropped "
            "at 300 dpi on a flatbed)")
HWOCR = "MIT (Breta01/handwriting-ocr LICENSE, © 2017 Břetislav Hájek; photos shipped in data/pages)"


@dataclass(frozen=True)
class Item:
    """One page of the real set and where it comes from."""

    name: str
    origin: str  # "ocrmypdf", "scikit-image", "jdeskew" (PyPI) or a key of GIT_SOURCES (git)
    member: str  # path inside the archive / repository
    licence: str
    pdf_page: int = 0  # >0: render this page of a PDF with pdftoppm
    render_dpi: int = 150
    version: str = ""


def _ocr(name: str, member: str, licence: str, page: int = 0, dpi: int = 150) -> Item:
    return Item(name, "ocrmypdf", "ocrmypdf-17.13.0/tests/resources/" + member, licence, page, dpi, "17.13.0")


def _lep(name: str) -> Item:
    return Item(name.rsplit(".", 1)[0].replace(".", "_"), "leptonica", "prog/" + name, LEPTONICA,
                version=LEPTONICA_COMMIT[:12])


def _git(origin: str, name: str, member: str, licence: str) -> Item:
    return Item(name, origin, member, licence, version=GIT_SOURCES[origin][1][:12])


def _receipt(folder: str, stem: str) -> Item:
    return _git("vision-data", f"receipt_{stem}", f"2D/Receipts/{folder}/{stem}.jpg", RECEIPTS)


def _hwocr(stem: str) -> Item:
    return _git("handwriting-ocr", f"hwocr_{stem}", f"data/pages/{stem}.jpg", HWOCR)


CATALOGUE: list[Item] = [
    _ocr("ocrmypdf_linn", "linn.png", OCRMYPDF_LINN),
    _ocr("ocrmypdf_typewriter", "typewriter.png",
         "GFDL-1.2-or-later OR CC-BY-SA-1.0/2.0/2.5/3.0 (© 2005 Ellywa; OCRmyPDF REUSE.toml)"),
    _ocr("ocrmypdf_c03_29", "c03-29.pdf", "public domain (Project Gutenberg scan; OCRmyPDF REUSE.toml)", 1, 150),
    _ocr("ocrmypdf_skew", "skew.pdf", OCRMYPDF_LINN, 1, 100),
    _ocr("ocrmypdf_rotated_skew", "rotated_skew.pdf", OCRMYPDF_LINN, 1, 100),
    _ocr("ocrmypdf_cardinal_1", "cardinal.pdf", OCRMYPDF_LINN, 1, 100),
    _ocr("ocrmypdf_cardinal_2", "cardinal.pdf", OCRMYPDF_LINN, 2, 100),
    _ocr("ocrmypdf_cardinal_3", "cardinal.pdf", OCRMYPDF_LINN, 3, 100),
    _ocr("ocrmypdf_cardinal_4", "cardinal.pdf", OCRMYPDF_LINN, 4, 100),
    _ocr("ocrmypdf_epson", "epson.pdf",
         "CC-BY-SA (printout of the Wikipedia article 'Optical character recognition'; OCRmyPDF REUSE.toml)", 1, 150),
    _ocr("ocrmypdf_francais", "francais.pdf", OCRMYPDF_SYNTH, 1, 300),
    Item("skimage_page", "scikit-image", "skimage/data/page.png", SKIMAGE, version="0.26.0"),
    Item("skimage_text", "scikit-image", "skimage/data/text.png", SKIMAGE, version="0.26.0"),
    Item("jdeskew_test", "jdeskew", "jdeskew-0.4.2/tests/test.png", "MIT (jdeskew, © 2022 Luan Pham)",
         version="0.4.2"),
    *[_lep(n) for n in (
        "1555.007.jpg", "amoris.2.150.jpg", "binding-example.45.jpg", "boxedpage.jpg",
        "brev.06.75.jpg", "breviar.38.150.jpg", "brothers.150.jpg", "candelabrum.011.jpg", "cat.007.jpg",
        "cavalerie.11.jpg", "colorpage.030.jpg", "comap.063.jpg", "contrast-orig-60.jpg", "feyn.tif",
        "harmoniam-11.tif", "juditharismax.jpg", "lapide.052.100.jpg", "lighttext.jpg", "lucasta.047.jpg",
        "lyra.005.jpg", "map.057.jpg", "pageseg1.tif", "pageseg2.tif", "pancrazi.15.jpg",
        "pedante.079.jpg", "scots-frag.tif", "shearer.148.tif", "table.15.tif", "tickets.tif",
        "warped_paper.jpg", "witten.tif", "wyom.jpg", "zanotti-78.jpg", "keystone.png", "w91frag.jpg",
        "rabi.png", "patent.png", "dreyfus8.png", "ortiz-02.tif", "tel_3.tif", "bois-2.tif",
        "german.png", "arabic.png", "lion-page.00016.jpg", "1555.003.jpg", "cat.035.jpg",
        "warped_sudoku.jpg", "greencover.jpg", "redcover.jpg", "underline1.jpg", "marge.jpg",
        "zier.jpg", "wet-day.jpg", "stampede2.jpg",
        # added 2026-12-07: a sideways book photo, a book scan on white, two full-frame pages
        "lyra.036.jpg", "cavalerie.29.jpg", "lion-page.00010.jpg", "lucasta.150.jpg",
    )],
    *[_hwocr(s) for s in (
        "page01", "page02", "page03", "page04", "page05", "page06", "page07", "page08", "page09", "page10",
        "test1", "test2", "test3", "test4", "test5", "text1", "text2", "text3", "text4", "text5",
    )],
    _git("page-dewarp", "dewarp_weimar_newspaper_a", "example_input/weimar_newspaper_a.tif",
         "MIT (lmmx/page-dewarp LICENSE, © 2016 Matt Zucker; example input of the repository)"),
    _git("donut", "donut_cord_receipt_00004", "misc/sample_image_cord_test_receipt_00004.png",
         "CC-BY-4.0 (CORD dataset, clovaai/cord; shipped as a sample in clovaai/donut, MIT)"),
    _git("donut", "donut_document", "misc/sample_image_donut_document.png",
         "MIT (clovaai/donut LICENSE, © 2022-present NAVER Corp.; sample image of the repository)"),
    _git("docaligner", "docaligner_run_test_card", "docs/run_test_card.jpg",
         "Apache-2.0 (DocsaidLab/DocAligner LICENSE; the repository's own test image; a specimen card)"),
    *[_receipt("B", s) for s in (
        "lidl_02032020_02_00716_B", "lidl_12052020_09_02351", "marktkauf_04052020_11_03620",
        "mediamarkt_14052020_03900", "thalia_06052020_01_04990", "toom_02052020_01_01999",
    )],
    *[_receipt("C", s) for s in (
        "aldi_16052020_15_01416", "aldi_19052020_10_01133", "dm_18052020_03_00355", "kaufland_14052020_04_01378",
        "mediamarkt_31012019_01_15500", "rossmann_20052020_03_01733", "saturn_08092017_112900",
        "saturn_20052020_02_09986", "tanke_07092018_01_03400",
    )],
]


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file's bytes (the page's identity in the truth files)."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _pip_download(req: str, dest: Path, sdist: bool) -> None:
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(dest), req]
    cmd += ["--no-binary", ":all:"] if sdist else ["--only-binary", ":all:"]
    subprocess.run(cmd, check=True)


def _archive(origin: str, dl: Path) -> Path | None:
    req, pattern, sdist = PYPI[origin]
    found = sorted(dl.glob(pattern))
    if not found:
        try:
            _pip_download(req, dl, sdist)
        except (subprocess.CalledProcessError, OSError) as e:
            print(f"  ! {req}: download failed ({e}); its pages are skipped")
            return None
        found = sorted(dl.glob(pattern))
    return found[0] if found else None


def _read_member(archive: Path, member: str) -> bytes:
    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as z:
            return z.read(member)
    with tarfile.open(archive) as t:
        f = t.extractfile(member)
        if f is None:
            raise KeyError(member)
        return f.read()


def _render_pdf_page(pdf: bytes, page: int, dpi: int, out: Path) -> None:
    with tempfile.TemporaryDirectory() as td:
        src = Path(td) / "in.pdf"
        src.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page),
                        "-singlefile", str(src), str(Path(td) / "page")], check=True)
        shutil.move(str(Path(td) / "page.png"), out)


def _git_dir(origin: str, mirror: Path, leptonica_git: Path) -> Path:
    """Where the snapshot of a git origin is expected (``owner+name/repo`` under the mirror)."""
    if origin == "leptonica":
        return leptonica_git
    return mirror / GIT_SOURCES[origin][0].replace("/", "+") / "repo"


def fetch(cache: Path, leptonica_git: Path, mirror: Path = DEFAULT_MIRROR) -> dict[str, dict[str, str]]:
    """Extract every catalogue page that can be reached; returns name → {sha256, path, …}."""
    dl = cache / "dl"
    real = cache / "real"
    dl.mkdir(parents=True, exist_ok=True)
    real.mkdir(parents=True, exist_ok=True)
    index: dict[str, dict[str, str]] = {}
    archives: dict[str, Path | None] = {}
    have_git: dict[str, bool] = {}
    for origin in GIT_SOURCES:
        gd = _git_dir(origin, mirror, leptonica_git)
        have_git[origin] = (gd / "HEAD").exists() or (gd / ".git").exists()
        if not have_git[origin]:
            print(f"  ! {GIT_SOURCES[origin][0]} snapshot not found at {gd}: its pages are skipped")
    for it in CATALOGUE:
        try:
            if it.origin in GIT_SOURCES:
                if not have_git[it.origin]:
                    continue
                data = subprocess.run(["git", "--git-dir", str(_git_dir(it.origin, mirror, leptonica_git)), "show",
                                       f"{GIT_SOURCES[it.origin][1]}:{it.member}"],
                                      check=True, capture_output=True).stdout
            else:
                if it.origin not in archives:
                    archives[it.origin] = _archive(it.origin, dl)
                arc = archives[it.origin]
                if arc is None:
                    continue
                data = _read_member(arc, it.member)
        except (subprocess.CalledProcessError, KeyError, OSError) as e:
            print(f"  ! {it.name}: {it.member} not readable ({e})")
            continue
        if it.pdf_page:
            out = real / f"{it.name}.png"
            if not out.exists():
                _render_pdf_page(data, it.pdf_page, it.render_dpi, out)
        else:
            out = real / f"{it.name}{Path(it.member).suffix.lower()}"
            if not out.exists():
                out.write_bytes(data)
        index[it.name] = {"sha256": sha256_file(out), "path": str(out.relative_to(cache)),
                          "origin": it.origin, "version": it.version, "member": it.member,
                          "pdf_page": str(it.pdf_page), "licence": it.licence}
    (cache / "real" / "index.json").write_text(json.dumps(index, indent=1, ensure_ascii=False))
    return index


def main() -> None:
    """Fetch, extract and list the pages."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    ap.add_argument("--leptonica-git", type=Path, default=DEFAULT_LEPTONICA_GIT)
    ap.add_argument("--mirror", type=Path, default=DEFAULT_MIRROR,
                    help="folder of the other git snapshots, as owner+name/repo")
    args = ap.parse_args()
    index = fetch(args.cache, args.leptonica_git, args.mirror)
    print(f"{len(index)} pages in {args.cache / 'real'}")


if __name__ == "__main__":
    main()
