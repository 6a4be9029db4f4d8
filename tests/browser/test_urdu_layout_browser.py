"""Urdu pages in Debian's Chromium at 320 and 390 px: what a resident sees, measured.

* The city's phone number reads 011-382-5151 left to right: the characters of the rendered
  number, ordered by their x position on screen (one Range per character), spell it.
* Codes and numbers are in a Latin monospace font, not in Nastaliq's fallback.
* 「江別市役所」 stays on one line (all its character boxes share one line).
* The resume code of "continue later" stays on one line, in the Latin monospace font, and
  fits the 320 px screen.
* No two text lines of a question overlap: the line boxes of every question's legend,
  hint and choice labels (Range client rects, grouped by line) are stacked without overlap.
"""
from __future__ import annotations

import itertools

import pytest

from tests.support.survey import SURVEY_URL

PHONE = "011-382-5151"

# The characters of the first element matching `selector` containing `text`, as
# [char, left, top] in screen coordinates, one Range per character.
_CHARS_JS = """([selector, text]) => {
  const el = [...document.querySelectorAll(selector)].find(e => e.textContent.includes(text));
  if (!el) return null;
  const out = [];
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.data.length; i++) {
      const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 1);
      const b = r.getBoundingClientRect();
      if (b.width > 0) out.push([node.data[i], b.left, b.top]);
    }
  }
  return {chars: out, font: getComputedStyle(el).fontFamily};
}"""

# For each question block: its text line boxes [top, bottom], from Range.getClientRects().
_LINES_JS = """() => [...document.querySelectorAll('fieldset, .question')].map(block => {
  const rects = [];
  for (const el of block.querySelectorAll('.legend, .label, .hint, .choice-label, legend, label')) {
    const r = document.createRange(); r.selectNodeContents(el);
    for (const b of r.getClientRects()) if (b.width > 1 && b.height > 1) rects.push([b.top, b.bottom]);
  }
  return rects;
})"""


def _overlaps(rects: list[list[float]]) -> list[tuple]:
    """Pairs of consecutive text lines whose boxes overlap vertically (by more than 0.5 px).

    Boxes whose vertical centres are closer than half a box height are one line (a smaller
    '(required)' or a Latin number sits a few pixels lower in the same line)."""
    lines: list[list[float]] = []
    for top, bottom in sorted(rects, key=lambda r: (r[0] + r[1]) / 2):
        if lines and abs((top + bottom) / 2 - (lines[-1][0] + lines[-1][1]) / 2) < \
                min(bottom - top, lines[-1][1] - lines[-1][0]) / 2:  # another inline box of the same line
            lines[-1] = [min(lines[-1][0], top), max(lines[-1][1], bottom)]
        else:
            lines.append([top, bottom])
    return [(a, b) for a, b in itertools.pairwise(lines) if b[0] < a[1] - 0.5]


@pytest.mark.parametrize("width", [320, 390])
def test_urdu_phone_number_reads_left_to_right_in_a_latin_font(new_page, width):
    page = new_page(lang="ur", width=width)
    page.goto(f"{SURVEY_URL}/?lang=ur")
    for where in ("main bdi.ltr", "footer bdi.ltr"):
        found = page.evaluate(_CHARS_JS, [where, PHONE])
        assert found is not None, where
        ordered = "".join(c for c, _x, _y in sorted(found["chars"], key=lambda c: c[1]))
        assert ordered == PHONE, (where, ordered)
        assert found["font"].startswith('"DejaVu Sans Mono"'), found["font"]
    name = page.evaluate(_CHARS_JS, ["main .keep", "江別市役所"])
    assert name is not None and len({round(top) for _c, _x, top in name["chars"]}) == 1


@pytest.mark.parametrize("width", [320, 390])
def test_urdu_question_lines_do_not_overlap(new_page, width):
    page = new_page(lang="ur", width=width)
    page.goto(f"{SURVEY_URL}/?lang=ur")
    with page.expect_navigation():
        page.click("button[name='nav'][value='next']")
    assert page.locator(".legend").first.evaluate("e => getComputedStyle(e).lineHeight") != "normal"
    blocks = page.evaluate(_LINES_JS)
    assert blocks and any(len(rects) > 2 for rects in blocks)
    problems = [pair for rects in blocks for pair in _overlaps(rects)]
    assert problems == []


@pytest.mark.parametrize("width", [320, 390])
def test_urdu_resume_code_is_one_line_in_a_latin_font(new_page, width):
    """It wrapped at a hyphen on a 320 px phone, drawn in Nastaliq (``:lang(ur)`` won over .resume-code)."""
    page = new_page(lang="ur", width=width)
    page.goto(f"{SURVEY_URL}/?lang=ur")
    for nav in ("next", "later"):
        with page.expect_navigation():
            page.click(f"button[name='nav'][value='{nav}']")
    assert page.url.endswith("/saved")
    code = page.locator(".resume-code").inner_text().strip()
    found = page.evaluate(_CHARS_JS, [".resume-code bdi", code])
    assert found is not None and "".join(c for c, _x, _y in found["chars"]) == code
    assert len({round(top) for _c, _x, top in found["chars"]}) == 1, found["chars"]
    assert found["font"].startswith('"DejaVu Sans Mono"'), found["font"]
    # whole on the screen: nowrap at 1.5rem ran 7 px past a 320 px screen's edge (clipped, not scrollable)
    left, right = page.evaluate("() => { const b = document.querySelector('.resume-code bdi')"
                                ".getBoundingClientRect(); return [b.left, b.right]; }")
    assert left >= 0 and right <= page.evaluate("document.documentElement.clientWidth"), (left, right)
