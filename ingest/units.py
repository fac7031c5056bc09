"""Cleaned document -> typed evidence units: sentences, lists, recommendations.

A unit is what an answer may state and cite on its own, so it must read on its own:

- paragraphs that a page break (or a blank line in the extraction) cut mid-sentence are joined
  first, so no unit stops where a page stopped;
- a list keeps its intro sentence and its items together;
- a sentence that points back ("These centres …") carries the sentence before it;
- in a recommendations section, an action keeps its example, and knows its audience;
- fragments, table debris, captions, field labels and sentences about the document are not units.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.core.codes import PracticeCodes
from app.core.corpus_profile import CorpusProfile
from app.core.models import Unit
from app.core.readability import ANAPHOR, DUMMY_IT, defects
from app.core.sentences import split_sentences
from ingest.sections import CleanDocument

_TERMINAL = re.compile(r"[.!?][\"'”’)\]]*$")
_ITEM = re.compile(r"(?:^|\s)-\s+(?=\S)")
# A numbered list opens with "1." straight after its intro's colon; a number elsewhere ("in phase 2. The …") is not one.
_NUMBERED_START = re.compile(r":\s+1[.)]\s+(?=[A-Z])")
_NUMBERED_ITEM = re.compile(r"(?:^|\s)\d{1,2}[.)]\s+(?=[A-Z])")  # "3. Expansion …", at a paragraph's start or inside
_CAPTION = re.compile(r"^(Table|Figure)\s*\d+\s*:")
_FIELD_LABEL = re.compile(r"^[A-Z][\w ’'/()]{0,40}:\s+\S.{0,60}$")  # "Organisation / Country: X / Finland"
_MAX_CONTEXT = 2  # sentences carried before one that points back
# Longer than this is a run of text with no sentence breaks (a 1 MB line), not a statement a reader can take
# in as a quote; the corpus's longest unit is about 700 characters.
_MAX_UNIT_CHARS = 2000


@dataclass
class _Paragraph:
    text: str
    section: str
    page: int | None
    start: int
    end: int


def _continues(prev: str, nxt: str) -> bool:
    """Whether the next block carries on the previous one (a page break, or the items of a list)."""
    prev, nxt = prev.rstrip(), nxt.lstrip()
    if prev.endswith(":"):
        return True
    if nxt.startswith("- ") and _ITEM.search(prev):
        return True  # more items of the same list
    if _NUMBERED_ITEM.match(nxt) and _NUMBERED_START.search(prev):
        return True  # the next item of a numbered list ("3. Expansion and monitoring phase.")
    return not _TERMINAL.search(prev) and bool(nxt) and (nxt[0].islower() or nxt[0] in "‘'(“\"")


def paragraphs(doc: CleanDocument) -> list[_Paragraph]:
    """Blocks joined into logical paragraphs within each section."""
    out: list[_Paragraph] = []
    for block in doc.blocks:
        if block.is_heading:
            continue
        last = out[-1] if out else None
        if last and last.section == block.section and _continues(last.text, block.text):
            last.text = f"{last.text} {block.text}"
            last.end = block.end
            continue
        out.append(_Paragraph(block.text, block.section, block.page, block.start, block.end))
    return out


def _readable(sentence: str, min_chars: int) -> bool:
    """A sentence a reader can take on its own (pointing back is mended by the caller)."""
    if len(sentence) < min_chars or not (sentence[0].isupper() or sentence[0].isdigit()):
        return False
    if _CAPTION.match(sentence) or _FIELD_LABEL.match(sentence):
        return False
    problems = set(defects(sentence)) - {"points back to unseen text"}
    return not problems


class FootnoteNumbers:
    """Takes a footnote's number off its sentence: the extraction puts a page's footnotes among its paragraphs.

    Read as a statement, "2 All practices have been uploaded …" starts with a stray figure, and two notes of one
    page arrive as one sentence ("… appendix I. 2 All practices …"). A number is taken for a note's when it is the
    next note's (notes are numbered in order through a document) and the text before marks it ("countries2.") or it
    opens a paragraph (a mark on a heading is lost with the heading). "20 European countries …" keeps its figure.
    """

    _LEADING = re.compile(r"^(\d{1,2}) (?=[A-Z])")
    _INNER = re.compile(r"(?<=[.!?]) (\d{1,2}) (?=[A-Z])")
    _REACH = 6000  # characters before a note in which its mark is looked for

    def __init__(self) -> None:
        self.last = 0  # the number of the last note found

    def _is_note(self, number: str, text: str, start: int, opens_paragraph: bool) -> bool:
        if not self.last < int(number) <= self.last + 2:  # the next note, or the one after a note the extraction lost
            return False
        mark = re.compile(rf"[A-Za-z)”’'\"]{number}(?=[\s.,;:)]|$)")
        if opens_paragraph or mark.search(text, max(0, start - self._REACH), start):
            self.last = int(number)
            return True
        return False

    def mend(self, sentences: list[str], text: str, start: int) -> list[str]:
        """The paragraph's sentences with notes' numbers taken off and two notes run together split apart
        (``text``: the document; ``start``: where the paragraph begins in it, the marks being before)."""
        out: list[str] = []
        for i, sentence in enumerate(sentences):
            leading = self._LEADING.match(sentence)
            if leading and self._is_note(leading.group(1), text, start, opens_paragraph=i == 0):
                sentence = sentence[leading.end() :]
            inner = self._INNER.search(sentence)
            if inner and self._is_note(inner.group(1), text, start, opens_paragraph=False):
                out += [sentence[: inner.start()], sentence[inner.end() :]]
                continue
            out.append(sentence)
        return out


def _offset(text: str, piece: str, start: int, end: int) -> int:
    at = text.find(piece[:40], start, end + 1)
    return at if at >= 0 else start


class UnitBuilder:
    """Builds the units of one document; the profile says which sections hold recommendations."""

    def __init__(self, profile: CorpusProfile, codes: PracticeCodes, min_sentence_chars: int) -> None:
        self.profile = profile
        self.codes = codes
        self.min_chars = min_sentence_chars
        self.audiences = {a.section.lower(): a.name for a in profile.audiences}
        self.notes = FootnoteNumbers()  # made anew for each document by build()

    def build(self, doc: CleanDocument, doc_id: str, source_type: str, paper_refs: dict[str, str]) -> list[Unit]:
        self.notes = FootnoteNumbers()
        units: list[Unit] = []
        previous: list[str] = []  # sentences of the paragraph before, for a first sentence that points back
        last_section = None
        for para in paragraphs(doc):
            if para.section != last_section:
                previous, last_section = [], para.section
            kind = self.profile.evidence_label(source_type, para.section).kind
            if kind == "recommendation" and para.section.lower() in self.audiences:
                units += self._recommendation(para, doc, doc_id, paper_refs)
                continue
            made, previous = self._sentences(para, doc, doc_id, previous, paper_refs)
            units += made
        return [u for u in units if len(u.text) <= _MAX_UNIT_CHARS]

    def _unit(
        self, kind: str, text: str, lead: str, para: _Paragraph, doc: CleanDocument, doc_id: str, refs: dict[str, str]
    ) -> Unit:
        start = _offset(doc.text, text, para.start, para.end)
        return Unit(
            kind=kind, text=text, lead=lead, doc_id=doc_id, section=para.section, page=para.page,
            start=start, end=min(para.end, start + len(text)), practice_codes=self.codes.find(text, refs),
            audience=self.audiences.get(para.section.lower(), ""),
        )  # fmt: skip

    def _recommendation(self, para: _Paragraph, doc: CleanDocument, doc_id: str, refs: dict[str, str]) -> list[Unit]:
        sentences = split_sentences(para.text)
        if not sentences or not _TERMINAL.search(para.text.rstrip()):
            return []
        return [self._unit("recommendation", para.text.strip(), sentences[0], para, doc, doc_id, refs)]

    def _sentences(
        self, para: _Paragraph, doc: CleanDocument, doc_id: str, previous: list[str], refs: dict[str, str]
    ) -> tuple[list[Unit], list[str]]:
        text = para.text.strip()
        units: list[Unit] = []
        numbered = _NUMBERED_START.search(text)
        item = _ITEM.search(text)
        list_start = item.start() if item else None
        if numbered and (not item or numbered.start() < item.start()):
            list_start = numbered.start() + 1  # the list starts after the colon
        else:
            numbered = None
        body = text
        if list_start is not None:
            before = text[:list_start].strip()
            intro_sentences = split_sentences(before) if before else []
            # A numbered list is ended by its paragraph: its items may be names with no full stop ("9. Commitment").
            if intro_sentences and intro_sentences[-1].endswith(":") and (numbered or _TERMINAL.search(text)):
                intro = intro_sentences[-1]
                if ANAPHOR.match(intro) and len(intro_sentences) > 1:
                    intro = intro_sentences[-2]  # "It offers four phases: …" carries what "it" is
                list_text = text[text.index(intro) :]
                units.append(self._unit("list", list_text, intro_sentences[-1], para, doc, doc_id, refs))
                body = before[: before.rindex(intro)].strip()
                if numbered:  # an item that is a sentence of its own is also a statement ("The Search model is …")
                    items = _NUMBERED_ITEM.split(text[list_start:])
                    body = " ".join([body, *(i.strip() for i in items if _TERMINAL.search(i.strip()) and len(i.split()) >= 8)])
            else:
                body = before  # items without an intro in this paragraph are not readable alone
        sentences = self.notes.mend(split_sentences(body), doc.text, para.start) if body else []
        context = list(previous)
        for sentence in sentences:
            if _readable(sentence, self.min_chars):
                if ANAPHOR.match(sentence):
                    # Carry the sentence pointed back to (and the one before it, if that points back too).
                    carried: list[str] = []
                    for earlier in reversed(context[-_MAX_CONTEXT:]):
                        carried.insert(0, earlier)
                        if not ANAPHOR.match(earlier):
                            break
                    if carried and not ANAPHOR.match(carried[0]) and all(_readable(c, 1) for c in carried):
                        joined = " ".join([*carried, sentence])
                        units.append(self._unit("sentence", joined, sentence, para, doc, doc_id, refs))
                    elif DUMMY_IT.match(sentence):
                        units.append(self._unit("sentence", sentence, sentence, para, doc, doc_id, refs))
                else:
                    units.append(self._unit("sentence", sentence, sentence, para, doc, doc_id, refs))
            context.append(sentence)
        return units, sentences or previous
