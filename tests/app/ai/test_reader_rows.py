"""Table rows with a cell or a row per country, cut to the candidate's country."""

from __future__ import annotations

from app.ai.extractive import passage_units
from app.ai.models import Passage
from app.ai.reader_rows import another_countrys, rows_for_reader

BY_COLUMN = (
    "Check: criminal record | Germany (Frankfurt): certificate per Art. 15 DSGVO | "
    "Schweiz (Zürich): Strafregisterauszug | Valid for: three months"
)
BY_ROW = (
    "Country: Germany | Notice: 3 months\nCountry: Switzerland | Notice: 2 months\nCountry: Austria | Notice: 6 weeks"
)


def test_a_column_for_another_country_is_removed_and_the_readers_kept() -> None:
    assert rows_for_reader(BY_COLUMN, "CH") == (
        "Check: criminal record | Schweiz (Zürich): Strafregisterauszug | Valid for: three months"
    )


def test_a_reader_in_a_country_the_row_does_not_cover_gets_only_the_cells_for_everyone() -> None:
    assert rows_for_reader(BY_COLUMN, "US") == "Check: criminal record | Valid for: three months"


def test_a_row_that_is_another_countrys_goes_whole() -> None:
    assert rows_for_reader(BY_ROW, "CH").split("\n") == ["", "Country: Switzerland | Notice: 2 months", ""]


def test_prose_and_tables_without_countries_are_unchanged() -> None:
    prose = "Employees in Germany and Switzerland get 25 days. Plan: PPO | Family: $412"
    assert rows_for_reader(prose, "CH") == prose
    assert rows_for_reader(BY_COLUMN, None) == BY_COLUMN


def test_a_table_row_is_one_unit_even_with_a_full_stop_inside_a_cell() -> None:
    passage = Passage(doc_id="d", title="Checks", section="Before you start", text=BY_COLUMN)
    assert passage_units(passage) == [BY_COLUMN]


PROBATION = (
    "## Probation\n"
    "Every new employee serves a probation period. In Germany the probation period is six months. "
    "In Switzerland the probation period is three months.\n"
    "- Everyone brings a passport on the first day."
)


def test_another_countrys_sentence_goes_where_the_passage_states_the_readers_own() -> None:
    text = rows_for_reader(PROBATION, "CH")
    assert "three months" in text
    assert "six months" not in text
    assert "Every new employee serves a probation period." in text
    assert "Everyone brings a passport" in text


def test_a_reader_in_a_third_country_gets_neither_countrys_sentence() -> None:
    text = rows_for_reader(PROBATION, "GB")
    assert "six months" not in text
    assert "three months" not in text
    assert "Every new employee serves a probation period." in text


def test_a_passage_naming_no_other_country_is_left_whole() -> None:
    assert rows_for_reader(PROBATION, "DE").count("months") == 1
    only_mine = "In Switzerland the probation period is three months.\nEveryone brings a passport."
    assert rows_for_reader(only_mine, "CH") == only_mine


BY_SECTION = (
    "## Probezeit\n"
    "Die Probezeit beträgt grundsätzlich drei Monate.\n"
    "### Deutschland\n"
    "Die Probezeit beträgt sechs Monate.\n"
    "### Schweiz\n"
    "Die Probezeit beträgt einen Monat.\n"
    "## Kündigung\n"
    "Für die deutschen Standorte gilt:\n"
    "- Kündigungsfrist 3 Monate zum Monatsende\n"
    "Sonst gilt das Gesetz."
)


def test_another_countrys_heading_and_lead_in_take_their_section_and_list_with_them() -> None:
    text = rows_for_reader(BY_SECTION, "CH")
    assert "sechs Monate" not in text
    assert "Kündigungsfrist 3 Monate" not in text
    assert "einen Monat" in text
    assert "grundsätzlich drei Monate" in text
    assert "Sonst gilt das Gesetz." in text


def test_a_name_that_is_also_a_person_or_a_state_does_not_cut_a_sentence() -> None:
    text = "Jordan Blake in People Operations answers questions. Georgia employees get a state holiday."
    assert rows_for_reader(text, "US") == text


def test_a_section_for_another_country_is_none_of_the_readers() -> None:
    assert another_countrys("Onboarding > Deutschland", "CH")
    assert not another_countrys("Onboarding > Schweiz", "CH")
    assert not another_countrys("Onboarding > First day", "CH")


def test_an_amount_in_another_countrys_currency_is_not_the_readers() -> None:
    text = "The gym subsidy is EUR 400 a year. Swiss staff get CHF 450. Everyone gets a laptop. TOP 3 teams win a trip."
    kept = rows_for_reader(text, "CH")
    assert "EUR 400" not in kept
    assert "CHF 450" in kept
    assert "Everyone gets a laptop." in kept
    assert "TOP 3 teams" in kept
    assert "EUR 400" in rows_for_reader(text, "DE")
