"""The one PDF renderer: Japanese, Vietnamese and Urdu text extractable, fonts embedded, pages that
render, and nothing fetched from outside the bundled folders."""
from __future__ import annotations

import re

import pytest

from survey_app.pdf import PdfError, html_to_pdf
from tests.support.pdfcheck import pdf_fonts, pdf_pages_text, pdf_text, pdf_to_pngs

DOC = """<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>報告書</title></head><body>
<h1>江別市 市民意識調査報告書</h1><p>子育て環境が充実していると思う市民割合 55.0%</p>
<p lang="vi">Có phần đồng ý</p><p lang="ur" dir="rtl">اردو میں جواب دیں</p>
<svg width="200" height="40"><rect x="0" y="10" width="150" height="20" fill="#36c"/></svg>
<p style="break-before: page">二ページ目</p></body></html>"""


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return html_to_pdf(DOC)


def test_text_in_every_language_is_extractable(pdf):
    text = pdf_text(pdf)
    for phrase in ("江別市 市民意識調査報告書", "子育て環境が充実していると思う市民割合", "Có phần đồng ý", "اردو"):
        assert phrase in text


def test_pages_are_numbered_and_fonts_embedded(pdf):
    pages = pdf_pages_text(pdf)
    assert len(pages) == 2
    assert re.search(r"1\s*/\s*2", pages[0]) and re.search(r"2\s*/\s*2", pages[1])
    fonts = pdf_fonts(pdf)
    assert fonts and all(f["embedded"] == "yes" for f in fonts)
    assert any("CJK" in f["name"] for f in fonts)


def test_pages_render_to_images(pdf, tmp_path):
    pngs = pdf_to_pngs(pdf, tmp_path)
    assert len(pngs) == 2
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 1000 for p in pngs)


@pytest.mark.parametrize("src", ["http://example.invalid/x.png", "file:///etc/passwd"])
def test_nothing_outside_the_bundle_is_fetched(src, tmp_path):
    with pytest.raises(PdfError):
        html_to_pdf(f'<html><body><img src="{src}"></body></html>', allowed_dirs=[tmp_path])


def test_a_bundled_file_may_be_used(tmp_path):
    image = tmp_path / "dot.svg"
    image.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" '
                     'height="10"/></svg>')
    pdf = html_to_pdf(f'<html><body><p>ok</p><img src="{image.as_uri()}"></body></html>', allowed_dirs=[tmp_path])
    assert "ok" in pdf_text(pdf)
