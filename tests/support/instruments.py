"""Small instruments written out in YAML for the tests of the loader and of the analysis.

``MINI`` is the one most tests read: a choice question ``q1`` with a "don't know" code, a text
question shown on one answer, a weighting question and an indicator with a baseline. Tests
that need another shape start from ``MINI_HEADER``. Line numbers in ``MINI`` are asserted by
tests/test_instrument.py (error messages name them): add lines at the end only.
"""
from __future__ import annotations

MINI_HEADER = """\
id: mini
version: 1
title: テスト
languages: [ja, en]
privacy_notice: 統計目的のみ
"""

MINI_BASELINE = "{value: 50.0, year: 2023}"

MINI = MINI_HEADER + """\
choice_lists:
  agree4:
    - {code: 1, text: そう思う}
    - {code: 2, text: そう思わない}
    - {code: 9, text: わからない, missing: true}
  ages:
    - {code: 1, text: 若い}
    - {code: 2, text: 若くない}
sections:
  - id: main
    title: 主
    questions:
      - {id: q1, type: single, choices: agree4, text: 質問1}
      - {id: q2, type: text, show_if: {question: q1, in: [2]}, text: 理由}
      - {id: age, type: single, choices: ages, weighting: true, text: 年齢}
indicators:
  - {id: ind1, question: q1, positive: [1], title: 指標, baseline: {value: 50.0, year: 2023}}
"""
