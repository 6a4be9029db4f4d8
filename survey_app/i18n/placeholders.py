"""Python-format placeholders (``%(name)s``, ``%d``) and the rule translations must keep."""
from __future__ import annotations

import re

# A catalog entry's id or string: one text, or its singular and plural forms.
MessageId = str | tuple[str, ...] | list[str]

PLACEHOLDER_RE = re.compile(r"%(?:\((?P<name>[^)]*)\))?[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<conv>[diouxXeEfFgGcrsa%])")


def placeholders(text: str | None) -> list[str]:
    """The placeholders of ``text`` ('%%' excluded): '%(n)d of %(total)d' → ['%(n)d', '%(total)d']."""
    found = []
    for match in PLACEHOLDER_RE.finditer(text or ""):
        if match.group("conv") != "%":
            found.append(match.group(0))
    return found


def placeholder_problem(msgid: MessageId, msgstr: MessageId | None) -> str | None:
    """Why ``msgstr`` does not carry the placeholders of ``msgid``, or None when it does.

    Singular entries need exactly the same multiset of placeholders (order may change).
    Plural entries: every form may use only the msgid's or msgid_plural's placeholders,
    and the last form (the general plural) must carry all of msgid_plural's.
    """
    if isinstance(msgid, (tuple, list)):
        allowed = set(placeholders(msgid[0])) | set(placeholders(msgid[1]))
        forms = list(msgstr) if isinstance(msgstr, (tuple, list)) else [msgstr]
        for form in forms:
            extra = set(placeholders(form)) - allowed
            if extra:
                return f"unknown placeholder(s) {sorted(extra)}"
        missing = set(placeholders(msgid[1])) - set(placeholders(forms[-1] if forms else ""))
        return f"missing placeholder(s) {sorted(missing)}" if missing else None
    if isinstance(msgstr, (tuple, list)):
        return "plural forms for a message that has none"
    expected, got = sorted(placeholders(msgid)), sorted(placeholders(msgstr))
    if expected != got:
        return f"placeholders {got or 'none'} instead of {expected}"
    return None
