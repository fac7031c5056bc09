"""The landscape counts (what the app's charts show) on hand-made cards: counts, labels and the codes behind them."""

from app.core.cards import PracticeCard
from app.core.config import ROOT
from app.core.corpus_profile import load_profile
from app.core.landscape import bars, heatmap
from app.ui.charts import bar_pick, cell_pick

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
