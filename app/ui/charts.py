"""The landscape charts (Altair): a click on a bar or a heatmap cell filters the practice table."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from app.core.cards import PracticeCard
from app.core.corpus_profile import CorpusProfile
from app.core.landscape import BAR_FACETS, Bar, HeatCell, bars, facet_note, heatmap, heatmap_note, recorded
from app.core.tables import Table

PICK = "pick"  # the selection parameter of every chart
RESET = "chart_reset"  # bumping it gives the charts new keys: their selections are cleared


@dataclass(frozen=True)
class ChartPick:
    """What a click on a chart selected: its description and the practices it stands for."""

    chart: str
    label: str
    codes: frozenset[str]
    values: dict[str, str] = field(default_factory=dict)  # card field -> the one value selected (for the dropdowns)


def _selected(event: Any) -> list[Mapping[str, Any]]:
    """The points a chart's selection holds (none when nothing is clicked)."""
    if not event:
        return []
    selection = event.get("selection", {}) if isinstance(event, Mapping) else getattr(event, "selection", {})
    points = selection.get(PICK, []) if isinstance(selection, Mapping) else []
    return [p for p in points if isinstance(p, Mapping)]


def bar_pick(title: str, chart_bars: Sequence[Bar], event: Any) -> ChartPick | None:
    """The practices behind the clicked bar(s) of a bar chart."""
    clicked = {str(p.get("value")) for p in _selected(event)}
    chosen = [b for b in chart_bars if b.value in clicked]
    if not chosen:
        return None
    values = {chosen[0].field: chosen[0].value} if len(chosen) == 1 else {}
    return ChartPick(title, " or ".join(b.label for b in chosen), frozenset(c for b in chosen for c in b.codes), values)


def cell_pick(cells: Sequence[HeatCell], event: Any) -> ChartPick | None:
    """The practices behind the clicked cell(s) of the sector × target-group heatmap."""
    keys = {(str(p.get("sector")), str(p.get("group"))) for p in _selected(event)}
    chosen = [c for c in cells if (c.sector, c.group) in keys]
    if not chosen:
        return None
    label = " or ".join(f"{c.sector_label} × {c.group_label}" for c in chosen)
    values = {"sectors": chosen[0].sector, "target_groups": chosen[0].group} if len(chosen) == 1 else {}
    return ChartPick("Sector × target group", label, frozenset(code for c in chosen for code in c.codes), values)


def bar_label(bar: Bar) -> str:
    """A bar's label; with the report's own count beside it where the report gives one."""
    return bar.label if bar.report is None else f"{bar.label} (report: {bar.report})"


def _bar_chart(chart_bars: Sequence[Bar], title: str, recorded_on: int, total: int) -> alt.Chart:
    frame = pd.DataFrame([{"value": b.value, "label": bar_label(b), "practices": b.count} for b in chart_bars])
    pick = alt.selection_point(name=PICK, fields=["value"])
    return (
        alt.Chart(frame, title=f"{title} (recorded on {recorded_on} of {total} cards)")
        .mark_bar()
        .encode(
            x=alt.X("practices:Q", title="practices (cards)", axis=alt.Axis(tickMinStep=1, format="d")),
            y=alt.Y("label:N", sort="-x", title=None, axis=alt.Axis(labelLimit=300)),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.35)),
            tooltip=[alt.Tooltip("label:N", title=title), alt.Tooltip("practices:Q", title="cards")],
        )
        .add_params(pick)
    )


def _heat_chart(cells: Sequence[HeatCell]) -> alt.Chart:
    frame = pd.DataFrame(
        [{"sector": c.sector, "group": c.group, "Sector": c.sector_label, "Target group": c.group_label,
          "practices": c.count} for c in cells]
    )  # fmt: skip
    pick = alt.selection_point(name=PICK, fields=["sector", "group"])
    return (
        alt.Chart(frame, title="Sector × target group")
        .properties(height=alt.Step(30))  # a row per sector, tall enough to click
        .mark_rect()
        .encode(
            x=alt.X("Target group:N", sort=None, axis=alt.Axis(labelAngle=-35, labelOverlap=False, labelLimit=220)),
            y=alt.Y("Sector:N", sort=None, axis=alt.Axis(labelLimit=160)),
            color=alt.Color("practices:Q", scale=alt.Scale(scheme="blues")),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.45)),
            tooltip=["Sector:N", "Target group:N", "practices:Q"],
        )
        .add_params(pick)
    )


def _spec(chart: alt.Chart) -> dict[str, Any]:
    """The chart as the Vega-Lite spec ``st.altair_chart`` sends: without Altair's default theme (its fixed sizes)."""
    with alt.theme.enable("none"):
        return chart.to_dict()


@dataclass(frozen=True)
class Facet:
    """One bar chart: the card field it counts, its title, its bars, its spec and what its counts stand on."""

    field: str
    title: str
    bars: tuple[Bar, ...]
    spec: Mapping[str, Any]
    note: str


@dataclass(frozen=True)
class Landscape:
    """Everything the charts show: the same for every session until the cards change."""

    cells: tuple[HeatCell, ...]
    heat_spec: Mapping[str, Any]
    heat_note: str
    facets: tuple[Facet, ...]


def _build(cards: Sequence[PracticeCard], profile: CorpusProfile, tables: Sequence[Table]) -> Landscape:
    cells = heatmap(cards, profile)
    facets = []
    for fld, title in BAR_FACETS.items():
        chart_bars = bars(cards, profile, fld, tables)
        spec = _spec(_bar_chart(chart_bars, title, recorded(cards, fld), len(cards)))
        facets.append(Facet(fld, title, tuple(chart_bars), spec, facet_note(cards, profile, fld, title, tables)))
    return Landscape(tuple(cells), _spec(_heat_chart(cells)), heatmap_note(cards), tuple(facets))


# The landscapes built, newest first, each with the objects it was built from (held, so no other object takes their id).
_built: list[tuple[tuple[object, ...], Landscape]] = []
_built_lock = threading.Lock()


def _inputs(cards: Sequence[PracticeCard], profile: CorpusProfile, tables: Sequence[Table]) -> tuple[object, ...]:
    """The objects a landscape is drawn from, in order (the cards and tables are the loaded ones, kept between runs)."""
    return (profile, *cards, None, *tables)  # None: where the cards end (no card or table is None)


def landscape(cards: Sequence[PracticeCard], profile: CorpusProfile, tables: Sequence[Table] = ()) -> Landscape:
    """The charts of these cards, built once and shared by every session: a rerun only sends them.

    Building them (counting, Altair's validation of each spec) took 190 ms of CPU per rerun of the Practices tab.
    They are kept by the identity of the cards, profile and tables, which are loaded once (the tables again only
    when their file changes): a reload brings new cards and so new charts. Sessions at once wait for one build
    (Altair's theme is also process-wide while it is set).
    """
    inputs = _inputs(cards, profile, tables)
    with _built_lock:
        for held, built in _built:
            if len(held) == len(inputs) and all(a is b for a, b in zip(held, inputs, strict=True)):
                return built
        built = _build(cards, profile, tables)
        _built[:] = [(inputs, built), *_built][:2]  # the old cards' charts stay for a session still drawing them
        return built


def render_landscape(cards: Sequence[PracticeCard], profile: CorpusProfile, tables: Sequence[Table] = ()) -> list[ChartPick]:
    """The charts, each with what its counts stand on (the cards that record the field, the report's own count
    where it has one, cited); returns what is clicked in them (the practice table shows only those practices)."""
    generation = st.session_state.setdefault(RESET, 0)
    picks: list[ChartPick] = []
    drawn = landscape(cards, profile, tables)
    event = st.vega_lite_chart(dict(drawn.heat_spec), on_select="rerun", key=f"chart-heatmap-{generation}")
    st.caption(drawn.heat_note)
    if pick := cell_pick(drawn.cells, event):
        picks.append(pick)
    columns = st.columns(2)
    for i, facet in enumerate(drawn.facets):
        with columns[i % 2]:
            event = st.vega_lite_chart(dict(facet.spec), on_select="rerun", key=f"chart-{facet.field}-{generation}")
            st.caption(facet.note)
        if pick := bar_pick(facet.title, facet.bars, event):
            picks.append(pick)
    return picks


def clear_picks() -> None:
    """Clear every chart's selection (new keys: Streamlit forgets the old selections)."""
    st.session_state[RESET] = st.session_state.get(RESET, 0) + 1
