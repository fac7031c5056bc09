"""A pack as Markdown: document text escaped (no link, image or HTML survives), sources numbered."""

from __future__ import annotations

from app.core.text import escape_markdown
from app.pack import layout
from app.pack.model import CitedAnswer, Pack, Source


def _esc(text: str) -> str:
    return escape_markdown(" ".join(text.split()))


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return [_row(header), "|" + "---|" * len(header), *(_row(r) for r in rows), ""]


def _answer(answer: CitedAnswer, numbers: dict[Source, int]) -> list[str]:
    lines = [f"### {_esc(answer.question)}", ""]
    for block in answer.blocks:
        mark = layout.marks(block.sources, numbers)
        if block.kind == "heading":
            lines += ["", f"**{_esc(block.text)}**", ""]
        elif block.kind == "table" and block.rows:
            width = len(block.rows[0])
            lines += ["", *_table([_esc(c) for c in block.rows[0]], [[_esc(c) for c in r[:width]] for r in block.rows[1:]])]
        elif block.kind == "note":
            lines += ["", f"_{_esc(block.text)}_", ""]
        elif block.kind == "claim":
            lines.append(f"- {_esc(block.text)} {mark}".rstrip())
        else:
            lines += [_esc(block.text), ""]
    return [*lines, ""]


def render_markdown(pack: Pack) -> str:
    """The whole pack as one Markdown document."""
    numbers = pack.numbers()
    out = [f"# {_esc(pack.title)}", ""]
    out += [f"_{_esc(pack.sources_note)}_", ""] if pack.sources_note else []
    out += [f"**Practices:** {_esc(layout.practices_line(pack))}", ""]
    out += [f"## {layout.ANSWERS}", ""]
    for answer in pack.answers:
        out += _answer(answer, numbers)
    out += [f"## {layout.PRACTICES}", ""]
    for page in pack.practices:
        cited = layout.place_line(page, numbers).removeprefix(page.country)  # the markers of its name and country
        out += [f"### {page.code} — {_esc(page.title)}", "", f"_{_esc(page.country)}_{cited}", ""]
        for heading, text in layout.one_pager(page, numbers, _esc):
            lead = f"_{heading}:_" if heading == layout.NOT_STATED else f"**{heading}.**"
            out += [f"{lead} {text}", ""]
    comparison = pack.comparison
    out += [f"## {layout.COMPARISON}", ""]
    header = [layout.FIELD, *(f"{p.code} — {_esc(p.title)}" for p in comparison.pages)]
    rows = []
    for label in comparison.fields:
        cells = [comparison.cell(p, label) for p in comparison.pages]
        rows.append([label, *(f"{_esc(c.value)} {layout.marks(c.sources, numbers)}".strip() if c else "" for c in cells)])
    out += _table(header, rows)
    out += [f"## {layout.DISCUSSION}", ""]
    out += [f"{i}. {_esc(d.question)} {layout.marks(d.sources, numbers)}" for i, d in enumerate(pack.discussion, 1)]
    out += ["", f"## {layout.QUIZ}", ""]
    for i, q in enumerate(pack.quiz, 1):
        out.append(f"{i}. {_esc(q.question)}")
        out += [f"    {letter}) {_esc(option)}" for letter, option in layout.option_letters(q)]
    if pack.glossary:
        out += ["", f"## {layout.GLOSSARY}", ""]
        out += [f"- **{_esc(g.term)}**: {_esc(g.meaning)} {layout.marks(g.sources, numbers)}" for g in pack.glossary]
    out += ["", "---", "", f"## {layout.ANSWER_KEY}", ""]  # a page of its own when printed: the rule marks where
    out += [f"{i}. {_esc(q.answer)} {layout.marks(q.sources, numbers)}" for i, q in enumerate(pack.quiz, 1)]
    out += ["", f"## {layout.REFERENCES}", ""]
    out += [f"{_esc(layout.reference_line(n, s))}  " for s, n in numbers.items()]
    return "\n".join(out).rstrip() + "\n"
