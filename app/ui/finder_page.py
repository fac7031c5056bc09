"""The practice table: all practices, filters with plain labels, a description search, comparison, CSV exports."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from app.core.tables import Table, load_tables
from app.query.ask import Assistant
from app.query.practice_table import (
    MAX_COMPARED,
    MIN_COMPARED,
    TABLE_ONLY,
    WHY,
    Comparison,
    PracticeRow,
    compare,
    comparison_to_csv,
    csv_bytes,
    practice_table,
    table_to_csv,
)
from app.query.practices import PracticeQuery
from app.ui.charts import ChartPick, clear_picks
from app.ui.common import doc_text, quote_block

# (session key, label, card field) of the filters above the table; values shown with the profile's labels.
FILTERS: tuple[tuple[str, str, str], ...] = (
    ("filter-country", "Country", "country"),
    ("filter-sector", "Sector", "sectors"),
    ("filter-group", "Target group", "target_groups"),
    ("filter-model", "Delivery model", "delivery_models"),
    ("filter-funding", "Funding", "funding"),
    ("filter-level", "Governance level", "governance_level"),
    ("filter-effect", "Reported effect", "effects"),
)
LIKE_KEY, COMPARE_KEY, TABLE_KEY = "describe", "compare", "practice-table"
ANY = ""  # a dropdown's "Any" option (a string: a selectbox set to None shows an empty placeholder, not "Any")
SYNCED = "filters-from-chart"  # the chart selection the dropdowns were last set from, and what they were set to
# The table's layout: column widths share TABLE_WIDTH px (the main column beside the open sidebar on a laptop), so
# it fits without sideways scrolling; rows are tall enough for the grid to wrap text (it wraps above 4rem) and for
# the longest name or reason to show in full (other long cells show their first lines; the comparison has them all).
TABLE_WIDTH = 920
WEIGHTS = {"Code": 0.55, "Name": 1.5, WHY: 3.4, "Country": 0.9, "Evaluation": 1.5}  # others 1.0
CHAR_PX, LINE_PX, PAD_PX = 7.0, 20, 14  # average character width and line height of the grid's 14 px font
FULL = ("Name", WHY)  # shown in full
MIN_LINES, OTHER_LINES, MAX_ROW = 4, 5, 420
# With a description's reasons on screen, these columns are left to the CSV and the comparison (room for the reasons).
WITH_REASONS_IN_CSV_ONLY = ("Governance level", "Reported effects", "Evaluation")
MAX_LEAST = 92  # px: a word up to about 11 letters ("employment") is never broken; longer ones may be


def report_tables(assistant: Assistant) -> list[Table]:
    """The corpus's transcribed tables (the charts cite the report's own counts from them)."""
    return list(load_tables(assistant.settings.corpus_dir).values())


@dataclass(frozen=True)
class Described:
    """The description search's result: the practices it found, best first, each with why it matched."""

    codes: list[str]
    reasons: dict[str, str]


def describe(assistant: Assistant, text: str) -> Described:
    """Practices ranked by how close they are to a described situation."""
    finder = assistant.finder
    if finder is None:
        return Described([], {})
    matches = finder.find(PracticeQuery(like=text))  # the finder keeps only the practices above its relevance floor
    return Described([m.code for m in matches], {m.code: m.reason for m in matches})


def _filter_values(assistant: Assistant, field: str) -> list[str]:
    if field == "country":
        return sorted({c.country for c in assistant.cards})
    used = {v for c in assistant.cards for v in getattr(c, field)}
    return [v for v in assistant.profile.vocabulary(field) if v in used]


def _label(assistant: Assistant, field: str) -> Callable[[str | None], str]:
    def show(value: str | None) -> str:
        if not value:
            return "Any"
        return value if field == "country" else assistant.profile.label(field, value)

    return show


def _chosen_codes(assistant: Assistant) -> set[str]:
    """Codes of the cards that pass every filter above the table."""
    cards = assistant.cards
    keep = {c.code for c in cards}
    for key, _, field in FILTERS:
        value = st.session_state.get(key)
        if not value:  # ANY (or None: a session from before the sentinel)
            continue
        keep &= {c.code for c in cards if (c.country == value if field == "country" else value in getattr(c, field))}
    return keep


def _frame(rows: Sequence[PracticeRow], reasons: dict[str, str]) -> pd.DataFrame:
    """The table on screen; with reasons, the columns a description is not matched on give them room."""
    frame = pd.DataFrame([r.cells() for r in rows])
    if reasons:
        frame.insert(2, WHY, [reasons.get(r.code, "") for r in rows])
        frame = frame.drop(columns=[c for c in WITH_REASONS_IN_CSV_ONLY if c in frame.columns])
    return frame


def table_layout(frame: pd.DataFrame) -> tuple[dict[str, int], int]:
    """Column widths (px) that share the page's width, and a row height that shows the names and reasons in full."""
    # Each column at least as wide as its longest word (and heading word), the rest of the width shared by weight.
    least = {
        c: min(MAX_LEAST, int(PAD_PX + CHAR_PX * max(len(w) for v in [c, *frame[c].astype(str)] for w in [*v.split(), ""])))
        for c in frame.columns
    }
    weights = {c: WEIGHTS.get(c, 1.0) for c in frame.columns}
    spare = max(0, TABLE_WIDTH - sum(least.values()))
    widths = {c: least[c] + int(spare * w / (sum(weights.values()) or 1.0)) for c, w in weights.items()}

    def lines(column: str) -> int:
        per_line = max(1, int((widths[column] - PAD_PX) / CHAR_PX))
        longest = max((len(str(v)) for v in frame[column]), default=0)
        return -(-longest // per_line)  # ceiling

    needed = max([MIN_LINES, *(lines(c) for c in FULL if c in widths), *(min(lines(c), OTHER_LINES) for c in widths)])
    return widths, min(MAX_ROW, needed * LINE_PX + PAD_PX)


def _filter_of(pick: ChartPick) -> dict[str, str]:
    """The dropdowns a chart selection stands for (filter key -> value), when it selects one value of each."""
    keys = {field: key for key, _, field in FILTERS}
    return {keys[f]: v for f, v in pick.values.items() if f in keys and v is not None}


def sync_filters(picks: Sequence[ChartPick], options: dict[str, list[str]]) -> None:
    """Show in the dropdowns what a chart click selected (before they are drawn), and take it back out when the
    chart selection is cleared; a dropdown the user changed afterwards is left alone. ``options``: filter key ->
    the values its dropdown offers (a click on an empty heatmap cell names a value no card has)."""
    wanted: dict[str, str] = {}
    for pick in picks:
        wanted.update({k: v for k, v in _filter_of(pick).items() if v in options.get(k, [])})
    before: dict[str, str] = st.session_state.get(SYNCED, {})
    if wanted == before:
        return
    for key, value in before.items():
        if key not in wanted and st.session_state.get(key) == value:
            st.session_state[key] = ANY
    for key, value in wanted.items():
        st.session_state[key] = value
    st.session_state[SYNCED] = wanted


def _filter_changed() -> None:
    """A dropdown the charts had set was changed by hand: the chart selection no longer applies."""
    synced: dict[str, str] = st.session_state.get(SYNCED, {})
    if any(st.session_state.get(key) != value for key, value in synced.items()):
        st.session_state[SYNCED] = {}
        clear_picks()


def render_filters(assistant: Assistant, picks: Sequence[ChartPick] = ()) -> None:
    """The dropdowns (showing what a chart click selected) and the description box."""
    options = {key: _filter_values(assistant, field) for key, _, field in FILTERS}
    sync_filters(picks, options)
    columns = st.columns(4)
    for i, (key, label, field) in enumerate(FILTERS):
        columns[i % 4].selectbox(
            label, [ANY, *options[key]], format_func=_label(assistant, field), key=key, on_change=_filter_changed,
        )  # fmt: skip
    columns[3].text_input(
        "Describe your situation",
        key=LIKE_KEY,
        placeholder="A few words on the people and services you work with",
        help="For example: one-stop shop for young jobseekers in a rural area. Practices are ranked by how close they are.",
    )


def render_table(assistant: Assistant, picks: Sequence[ChartPick]) -> list[PracticeRow]:
    """The filtered, sortable table with its count ("n of 44") and CSV download; returns the rows shown."""
    all_rows = practice_table(assistant.cards, assistant.profile)
    keep = _chosen_codes(assistant)
    for pick in picks:
        keep &= pick.codes
    if picks:
        st.caption("From the charts: " + "; ".join(f"{p.chart}: {doc_text(p.label)}" for p in picks))
        st.button("Clear the chart selection", key="clear-charts", on_click=clear_picks)
    like = (st.session_state.get(LIKE_KEY) or "").strip()
    reasons: dict[str, str] = {}
    rows = [r for r in all_rows if r.code in keep]
    if like:
        found = describe(assistant, like)
        reasons = found.reasons
        order = {code: i for i, code in enumerate(found.codes)}
        rows = sorted((r for r in rows if r.code in order), key=lambda r: order[r.code])
    st.markdown(f"**{len(rows)} of {len(all_rows)} practices**")
    unnamed = [r.code for r in rows if TABLE_ONLY in r.name]
    if unnamed:
        st.caption(
            f"{len(unnamed)} of them ({', '.join(unnamed)}) are {TABLE_ONLY}: the sources give no name or description, "
            "so they are shown last and left out of description searches."
        )
    frame = _frame(rows, reasons)
    if reasons:
        st.caption(f"{', '.join(WITH_REASONS_IN_CSV_ONLY)}: in the CSV and the side-by-side comparison.")
    widths, row_height = table_layout(frame)
    columns: dict[str, Any] = {c: st.column_config.TextColumn(c, width=w) for c, w in widths.items()}
    st.dataframe(frame, hide_index=True, key=TABLE_KEY, width="stretch", row_height=row_height, column_config=columns)
    st.download_button(
        "Download the table (CSV)", csv_bytes(table_to_csv(rows, reasons)), file_name="practices.csv", mime="text/csv",
        key="download-table", on_click="ignore",
    )  # fmt: skip
    return rows


def _render_comparison(comparison: Comparison) -> None:
    header = st.columns([1] + [2] * len(comparison.codes))
    header[0].markdown("**Practice**")
    for column, code, name in zip(header[1:], comparison.codes, comparison.names, strict=True):
        column.markdown(f"**{code}** — {doc_text(name)}")
    for row in comparison.rows:
        columns = st.columns([1] + [2] * len(comparison.codes))
        columns[0].markdown(f"**{doc_text(row.label)}**")
        for column, code, cell in zip(columns[1:], comparison.codes, row.cells, strict=True):
            with column:
                st.markdown(doc_text(cell.text))
                if cell.quotes:
                    with st.expander("Source quote", key=f"quote-{code}-{row.field}"):
                        st.markdown("\n\n".join(quote_block(q) for q in cell.quotes))


def render_compare(assistant: Assistant, rows: Sequence[PracticeRow]) -> None:
    """Pick 2–4 practices (from the table shown, or any) and see them side by side, each value with its quote."""
    st.subheader("Compare practices side by side")
    names = {r.code: r.name for r in practice_table(assistant.cards, assistant.profile)}
    chosen = st.session_state.get(COMPARE_KEY) or []
    options = list(dict.fromkeys([*chosen, *(r.code for r in rows), *names]))
    codes = st.multiselect(
        f"Choose {MIN_COMPARED} to {MAX_COMPARED} practices",
        options,
        format_func=lambda c: f"{c} — {names.get(c, '')}",
        max_selections=MAX_COMPARED,
        select_all=False,
        key=COMPARE_KEY,
        placeholder="Type a code or a name",
    )
    if len(codes) < MIN_COMPARED:
        st.caption(f"Choose at least {MIN_COMPARED} practices to compare them.")
        return
    comparison = compare(codes, assistant.cards, assistant.profile, report_tables(assistant))
    _render_comparison(comparison)
    st.download_button(
        "Download the comparison (CSV)", csv_bytes(comparison_to_csv(comparison)), file_name=f"comparison-{'-'.join(codes)}.csv",
        mime="text/csv", key="download-comparison", on_click="ignore",
    )  # fmt: skip
