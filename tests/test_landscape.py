"""The landscape counts (what the app's charts show) on hand-made cards: counts, labels and the codes behind them."""

from app.core.cards import PracticeCard
from app.core.config import ROOT
from app.core.corpus_profile import load_profile
from app.core.landscape import bars, heatmap
from app.ui.charts import bar_pick, cell_pick, landscape

PROFILE = load_profile(ROOT / "corpus")


def card(code: str, country: str, **fields: list[str]) -> PracticeCard:
    return PracticeCard(code=code, title=f"Practice {code}", country=country, **fields)


CARDS = [
    card("FI1", "Finland", sectors=["health"], target_groups=["older_people"], delivery_models=["one_stop_shop"],
         funding=["pooled"]),
    card("FI2", "Finland", sectors=["health", "employment"], target_groups=["older_people", "unemployed_people"],
         delivery_models=["one_stop_shop", "case_management"]),
    card("DE1", "Germany", sectors=["employment"], target_groups=["unemployed_people"], funding=["mixed_public_private"]),
]  # fmt: skip


def test_bars_count_each_value_with_its_codes_and_plain_label():
    countries = bars(CARDS, PROFILE, "country")
    assert [(b.label, b.count, b.codes) for b in countries] == [("Finland", 2, ("FI1", "FI2")), ("Germany", 1, ("DE1",))]
    models = {b.value: b for b in bars(CARDS, PROFILE, "delivery_models")}
    assert models["one_stop_shop"].label == "one-stop shop" and models["one_stop_shop"].count == 2
    assert models["case_management"].codes == ("FI2",)
    funding = {b.label for b in bars(CARDS, PROFILE, "funding")}
    assert "mixed_public_private" not in funding and "partly public, partly non-public funding" in funding


def test_heatmap_has_every_sector_and_group_with_the_practices_that_have_both():
    cells = {(c.sector, c.group): c for c in heatmap(CARDS, PROFILE)}
    assert len(cells) == len(PROFILE.vocabulary("sectors")) * len(PROFILE.vocabulary("target_groups"))
    assert cells[("health", "older_people")].codes == ("FI1", "FI2")
    assert cells[("employment", "unemployed_people")].codes == ("DE1", "FI2")
    assert cells[("housing", "children")].count == 0
    assert cells[("health", "older_people")].group_label == "older people"


def test_a_click_on_a_bar_or_a_cell_selects_the_practices_behind_it():
    countries = bars(CARDS, PROFILE, "country")
    event = {"selection": {"pick": [{"value": "Finland"}]}}
    pick = bar_pick("Countries", countries, event)
    assert pick is not None and pick.codes == {"FI1", "FI2"} and pick.label == "Finland"
    assert bar_pick("Countries", countries, {"selection": {"pick": []}}) is None
    cells = heatmap(CARDS, PROFILE)
    pick = cell_pick(cells, {"selection": {"pick": [{"sector": "employment", "group": "unemployed_people"}]}})
    assert pick is not None and pick.codes == {"DE1", "FI2"} and "employment × unemployed people" in pick.label


def test_every_count_states_its_denominator_and_the_report_figure_beside_it():
    """The issue's case: the funding chart showed 7 pooled practices where the report's Table 7 says 20 (45%)."""
    from app.core.cards import load_cards
    from app.core.landscape import facet_note, recorded
    from app.core.tables import load_tables

    cards = [c for _, c in load_cards(ROOT / "corpus" / "practices")]
    tables = list(load_tables(ROOT / "corpus").values())
    funding = {b.value: b for b in bars(cards, PROFILE, "funding", tables)}
    assert funding["pooled"].report == 20 and funding["single_agency"].report == 15  # the report's own count, per bar
    n = recorded(cards, "funding")
    assert 0 < n < len(cards) and sum(1 for c in cards if c.funding) == n
    note = facet_note(cards, PROFILE, "funding", "Funding", tables)
    assert f"Funding recorded on {n} of {len(cards)} cards" in note
    assert "Table 7: Ways to fund integrated services (n=44)" in note and "Joint/pooled funding 20 (45%)" in note
    assert "lower" in note  # says why the cards' counts differ from the report's
    effects = facet_note(cards, PROFILE, "effects", "Reported effects", tables)
    assert "reproduce the report's own count (Table 6" in effects  # the cards hold exactly Table 6's rows
    models = facet_note(cards, PROFILE, "delivery_models", "Delivery models", tables)
    assert "of 44 cards" in models and "Table" not in models  # the report has no count of its own here


def test_a_value_the_report_counts_but_no_card_records_gets_a_bar():
    from app.core.tables import load_tables

    tables = list(load_tables(ROOT / "corpus").values())
    funding = {b.value: b for b in bars(CARDS, PROFILE, "funding", tables)}
    assert funding["existing_resources"].count == 0 and funding["existing_resources"].report == 9


def test_a_chart_click_names_the_dropdown_values_it_stands_for():
    picked = bar_pick("Funding", bars(CARDS, PROFILE, "funding"), {"selection": {"pick": [{"value": "pooled"}]}})
    assert picked is not None and picked.values == {"funding": "pooled"}
    cell = cell_pick(heatmap(CARDS, PROFILE), {"selection": {"pick": [{"sector": "health", "group": "older_people"}]}})
    assert cell is not None and cell.values == {"sectors": "health", "target_groups": "older_people"}


def test_the_charts_are_drawn_once_for_the_loaded_cards_and_anew_when_the_cards_change():
    drawn = landscape(CARDS, PROFILE)
    assert landscape(list(CARDS), PROFILE) is drawn  # the same cards: every session is sent the same charts
    assert [f.field for f in drawn.facets] == ["country", "delivery_models", "funding", "effects"]
    countries = drawn.facets[0]
    assert [b.label for b in countries.bars] == ["Finland", "Germany"] and "3 cards" in countries.spec["title"]
    reloaded = [*CARDS[:2], card("DE1", "Germany", sectors=["employment"])]  # a card edited, then the cards reloaded
    assert landscape(reloaded, PROFILE) is not drawn
    assert landscape(reloaded, PROFILE).facets[2].bars != drawn.facets[2].bars  # DE1's funding is gone
