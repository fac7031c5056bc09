"""A table that counts something is shown whole, largest count first, the asked row in bold (no model)."""

from app.core.tables import Table

FUNDING = Table(
    id="t7", document="d", number=7, caption="Table 7: Ways to fund integrated services (n=44)",
    header=["Ways to fund", "# of practices", "%"],
    rows=[
        ["Within existing resources", "9", "20%"], ["Joint/pooled funding", "20", "45%"], ["Single agency funding", "15", "34%"],
    ],
)  # fmt: skip


def test_rows_of_a_counting_table_come_largest_first():
    assert [r[0] for r in FUNDING.by_count()] == ["Joint/pooled funding", "Single agency funding", "Within existing resources"]


def test_the_asked_row_is_marked_and_every_row_is_shown():
    md = FUNDING.markdown(FUNDING.by_count(), marked=[["Single agency funding", "15", "34%"]])
    lines = md.splitlines()
    assert len(lines) == 2 + 3
    assert "**Single agency funding**" in md and "**15**" in md
    assert "**Joint/pooled funding**" not in md


def test_a_table_with_group_headings_keeps_its_printed_order():
    grouped = FUNDING.model_copy(update={"rows": [["Group", "", ""], *FUNDING.rows]})
    assert grouped.by_count() == grouped.rows


def test_a_table_without_counts_has_no_count_column():
    text = Table(id="t8", document="d", number=8, caption="c", header=["Element", "Barriers"], rows=[["Funding", "Lack of it"]])
    assert text.count_column() is None and text.by_count() == text.rows


def test_a_question_names_the_rows_whose_label_it_mostly_uses():
    from app.query.layouts.base import names_row

    rows = [r[:1] for r in FUNDING.rows]
    compared = "In the practices, how common was pooled funding compared with funding from a single agency?"
    assert [names_row(compared, r) for r in rows] == [False, True, True]  # in FUNDING's printed order
    assert not any(names_row("Show me all the funding types with their counts.", r) for r in rows)
