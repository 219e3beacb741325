"""The month's indicators as CSV (keys as headers, for machines) and XLSX (labels in the reader's language)."""

import csv
import io

import xlsxwriter

import i18n
from marketplace.province.models import INDICATORS, Figures, Indicators

__all__ = ["areas", "indicators_csv", "indicators_xlsx", "public_indicators_csv"]


def areas(indicators: Indicators) -> list[tuple[int | None, str, Figures]]:
    """The rows of an export: the area asked for first, then (for the province) each commune."""
    rows: list[tuple[int | None, str, Figures]] = [(indicators.commune_code, indicators.name, indicators.figures)]
    rows.extend((commune.commune_code, commune.commune_name, commune.figures) for commune in indicators.communes)
    return rows


def indicators_csv(indicators: Indicators) -> str:
    """One line per area: period, commune code (empty for the province), name, then every figure."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["period", "commune_code", "area", *(indicator.key for indicator in INDICATORS)])
    for code, name, figures in areas(indicators):
        writer.writerow([indicators.period, "" if code is None else code, name,
                         *("" if figures.get(i.key) is None else figures[i.key] for i in INDICATORS)])
    return out.getvalue()


def public_indicators_csv(months: list[tuple[str, Figures]]) -> str:
    """The open data of indicators: one line per month, the province's figures (keys as headers)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["period", *(indicator.key for indicator in INDICATORS)])
    for period, figures in months:
        writer.writerow([period, *("" if figures.get(i.key) is None else figures[i.key] for i in INDICATORS)])
    return out.getvalue()


def indicators_xlsx(indicators: Indicators, locale: str) -> bytes:
    """A workbook: the figures (one row per area), the top unanswered searches, the agents' onboardings."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    money = book.add_format({"num_format": "#,##0"})
    sheet = book.add_worksheet(i18n.gettext("Indicators", locale)[:31])
    if locale == "ar":
        sheet.right_to_left()
    computed = i18n.format_datetime(indicators.computed_at, locale)
    sheet.write(0, 0, f"{indicators.name} · {indicators.period} · {computed}", bold)
    headers = [i18n.gettext("Commune code", locale), i18n.gettext("Area", locale),
               *(i18n.gettext(indicator.label, locale) for indicator in INDICATORS)]
    sheet.write_row(2, 0, headers, bold)
    for row, (code, name, figures) in enumerate(areas(indicators), start=3):
        sheet.write(row, 0, "" if code is None else code)
        sheet.write(row, 1, name)
        for column, indicator in enumerate(INDICATORS, start=2):
            value = figures.get(indicator.key)
            if value is not None:
                sheet.write_number(row, column, value, money if indicator.unit == "money" else None)
    sheet.set_column(1, 1, 26)
    sheet.set_column(2, len(headers), 14)
    sheet.freeze_panes(3, 2)
    terms = book.add_worksheet(i18n.gettext("Searches with no result", locale)[:31])
    terms.write_row(0, 0, [i18n.gettext("Search term", locale), i18n.gettext("Searches", locale)], bold)
    for row, term in enumerate(indicators.top_zero_result_terms, start=1):
        terms.write_row(row, 0, [term.term, term.count])
    agents = book.add_worksheet(i18n.gettext("Agents", locale)[:31])
    agents.write_row(0, 0, [i18n.gettext("Agent", locale), i18n.gettext("Households onboarded", locale)], bold)
    for row, agent in enumerate(indicators.agents, start=1):
        agents.write_row(row, 0, [agent.agent, agent.households])
    book.close()
    return out.getvalue()
