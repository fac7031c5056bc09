"""Control characters in document text: terminal escapes, NUL and friends never reach a terminal or the store.

A document may hold ANSI escape sequences (colours, cursor moves, a title change, a hyperlink) or raw
control bytes; printed by the CLI they would drive the user's terminal, stored they would travel into every
quote. They carry no words, so they are removed at load (ingest) and again before display (an index built
before this rule).
"""

from __future__ import annotations

import re

# ESC sequences: CSI ("ESC [ … m"), OSC ("ESC ] … BEL" or "ESC ] … ESC \"), and the two-byte rest ("ESC c").
_ESCAPE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]?|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[PX^_][^\x1b]*(?:\x1b\\)?|.?)", re.S)
# C0 controls other than tab, newline, carriage return and form feed; DEL; C1 controls; bidirectional overrides.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def strip_controls(text: str) -> tuple[str, int]:
    """The text without escape sequences and control characters, and how many characters were removed."""
    clean = _CONTROL.sub("", _ESCAPE.sub("", text))
    return clean, len(text) - len(clean)


def printable(text: str) -> str:
    """The text safe to print or render: no escape sequence or control character."""
    return strip_controls(text)[0]
