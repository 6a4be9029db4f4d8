"""Checking a PDF the way a person would: its text (``pdftotext``), its fonts (``pdffonts``) and its
pages as pictures (``pdftoppm``). The tools come from Debian's poppler-utils, which the Makefile installs.
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path


def pdf_text(pdf: bytes, layout: bool = False) -> str:
    """The PDF's text as ``pdftotext`` extracts it (what a reader's search or copy finds)."""
    args = ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []), "-", "-"]
    return subprocess.run(args, input=pdf, capture_output=True, check=True).stdout.decode("utf-8")


def pdf_pages_text(pdf: bytes) -> list[str]:
    """The text of each page (``pdftotext`` separates pages by form feeds)."""
    return pdf_text(pdf).split("\f")[:-1]


def pdf_fonts(pdf: bytes) -> list[dict[str, str]]:
    """One row per font: name, type, embedded ('yes'/'no')."""
    out = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    rows = []
    for line in out.splitlines()[2:]:
        parts = line.split()
        if len(parts) >= 7:
            rows.append({"name": parts[0], "embedded": parts[-5], "unicode": parts[-3]})
    return rows


def pdf_to_pngs(pdf: bytes, folder: Path, dpi: int = 60) -> list[Path]:
    """Render every page to ``folder/page-N.png`` and return the paths in page order."""
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "document.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), str(source), str(folder / "page")], check=True)
    return sorted(folder.glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))


def pdf_words_outside(pdf: bytes, margin_pt: float, slack: float = 0.5) -> list[str]:
    """Words (``pdftotext -bbox``) that reach into the left or right page margin or off the page:
    text drawn past the edge of its box, e.g. a chart label clipped by its SVG. One line each."""
    out = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    page = re.compile(rb'<page width="([\d.]+)"')
    word = re.compile(rb'<word xMin="([-\d.]+)" yMin="[-\d.]+" xMax="([-\d.]+)" yMax="[-\d.]+">(.*?)</word>')
    outside, width, number = [], 0.0, 0
    for line in out.splitlines():
        if found := page.search(line):
            width, number = float(found.group(1)), number + 1
        elif found := word.search(line):
            left, right = float(found.group(1)), float(found.group(2))
            if left < margin_pt - slack or right > width - margin_pt + slack:
                outside.append(f"page {number}: {found.group(3).decode('utf-8')!r} at x {left:.1f}–{right:.1f}")
    return outside
