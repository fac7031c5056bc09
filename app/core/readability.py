"""What a reader trips over in a quoted sentence: one definition for ingest (which sentences become
citable units) and for the evaluation (the answer defect rate).

A defect is text that ends with a colon (a list intro without its list), opens with a word that
points back to text the reader cannot see, is table debris (column headers, runs of figures),
speaks about the document instead of the subject, or stops mid-sentence.
"""

from __future__ import annotations

import re

ANAPHOR = re.compile(r"^(these|this|it|they|those|the latter|the former|such|its|their|he|she)\b", re.I)
# "It is striking that …", "It is important to …": this "it" stands for the clause after it, not for earlier text, so
# the sentence is a statement even where nothing comes before it (a section's first sentence).
DUMMY_IT = re.compile(
    r"^It (?:is|was|has been|seems|appears|remains|(?:would|will|may|can|could|should) be) (?:\w+ )?\w+"
    r" (?:that|to|whether|how|if)\b"
)
_DEBRIS = re.compile(r"#\s*of\b|%\s*of total|^(elements|barriers|facilitators)\s+(barriers|facilitators)\b", re.I)
_FIGURES = re.compile(r"\d+(?:[.,]\d+)?\s*%?")
_BRACKETED_COUNT = re.compile(r"(?<=\w) \(\d+\)")
_META = re.compile(
    r"will be (presented|discussed|described)|\bpages? \d+\s*[-–]\s*\d+"
    r"|\bthis (chapter|section|report|paper) (will|aims|presents|describes)|\bsee (table|figure|chapter|annex)\b"
    # The authors' plan for the text ("we will look at …", "we explored how … is addressed", "we expect that these … provide
    # the most interesting examples"): what the text is about to say, not what it finds.
    r"|\bwe (will|would|shall) (now |then |first |also |further |therefore )?(address|discuss|describe|present|look|explore"
    r"|emphasi[sz]e|examine|consider|analy[sz]e|outline|summari[sz]e|review|turn)\b|\bwe (explored|expect)\b",
    re.I,
)
_TERMINAL = re.compile(r"[.!?”\")\]’]$")
_CITES = re.compile(r"(\s*\[\d+\])+\s*$")

LIST_INTRO = "list intro without its list"
POINTS_BACK = "points back to unseen text"
DEBRIS = "table debris"
META = "about the document, not the subject"
UNFINISHED = "stops mid-sentence"
REPEATED = "repeats another bullet"


def defects(text: str) -> list[str]:
    """The defects of one statement (citation markers at its end are ignored)."""
    body = _CITES.sub("", text).strip().strip("*").strip()
    if not body:
        return []
    found = []
    if body.endswith(":"):
        found.append(LIST_INTRO)
    if ANAPHOR.match(body):
        found.append(POINTS_BACK)
    # A count in brackets after a name is a list's, not a table's ("17 European countries: Belgium (3), Bulgaria (1), …").
    figures = len(_FIGURES.findall(_BRACKETED_COUNT.sub("", body)))
    if _DEBRIS.search(body) or (figures >= 4 and len(body.split()) < 3 * figures):
        found.append(DEBRIS)
    if _META.search(body):
        found.append(META)
    if not _TERMINAL.search(body) and not body.endswith(":"):
        found.append(UNFINISHED)
    return found


def bullets(markdown: str) -> list[str]:
    """The bullet lines of an answer, without their markers."""
    out = []
    for line in markdown.splitlines():
        s = line.strip()
        if s.startswith(("- ", "* ")) or re.match(r"^\d+\.\s", s):
            out.append(re.sub(r"^([-*]|\d+\.)\s+", "", s))
    return out
