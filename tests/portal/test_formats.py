"""Dates read day-month-year in both languages; counts are grouped as readers write them."""

import datetime
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.formats import date_format

from assessments.questionnaire.presentation import question_view

WHEN = datetime.datetime(2026, 11, 30, 13, 59, tzinfo=ZoneInfo("Europe/Berlin"))


@pytest.mark.parametrize(
    ("language", "fmt", "expected"),
    [
        ("en", "SHORT_DATETIME_FORMAT", "30/11/2026 13:59"),
        ("en", "SHORT_DATE_FORMAT", "30/11/2026"),
        ("en", "DATE_FORMAT", "30 November 2026"),
        ("en", "DATETIME_FORMAT", "30 November 2026, 13:59"),
        ("de", "SHORT_DATETIME_FORMAT", "30.11.2026 13:59"),
        ("de", "SHORT_DATE_FORMAT", "30.11.2026"),
        ("de", "DATE_FORMAT", "30. November 2026"),
        ("de", "DATETIME_FORMAT", "30. November 2026, 13:59"),
    ],
)
def test_dates_are_day_month_year(language, fmt, expected):
    with translation.override(language):
        assert date_format(WHEN, fmt) == expected


# --- numbers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "expected"), [("de", "16.658"), ("en", "16,658")])
def test_counts_are_grouped_as_readers_write_them(language, expected):
    """A chamber's portfolio runs to tens of thousands: "16.658 Kunden", not "16658"."""
    summary = {
        "total": 16658,
        "no_result": 1204,
        "levels": [{"level": "high", "label": "hoch", "count": 4256, "url": "?level=high"}],
        "heat": [
            {
                "label": "Lock-in",
                "cells": [{"level": "low", "label": "gering", "count": 9885, "opacity": "0.50"}],
            }
        ],
        "attention_counts": {"reports": 382, "unassigned": 3052, "new": 5005, "stale": 7880},
    }
    labels = {"attention": {key: key for key in ("reports", "unassigned", "new", "stale")}}
    with translation.override(language):
        html = render_to_string(
            "portal/_portfolio_overview.html",
            {"summary": summary, "labels": labels, "attention": [], "unassigned_url": "?"},
        )
    assert expected in html and "16658" not in html
    sep = expected[2]
    for count in ("1{}204", "4{}256", "9{}885", "3{}052", "5{}005", "7{}880"):
        assert count.format(sep) in html
    assert 'style="--share: 0.50"' in html  # a CSS value is never localised


def test_numbers_a_browser_reads_back_are_never_grouped():
    """The answer's version goes back with every save, limits are HTML attributes: "1.234"
    there would be a conflict on each save, or no limit at all."""
    number = question_view(
        {"key": "staff", "type": "number", "text": {"de": "Beschäftigte"}, "min": 0, "max": 250000},
        value=1500,
    )
    number.version = 1234
    text = question_view(
        {"key": "notes", "type": "long_text", "text": {"de": "Anmerkungen"}, "max_length": 4000},
        value="",
    )
    with translation.override("de"):
        html = render_to_string(
            "assessments/_question.html",
            {"q": number, "assessment": {"pk": uuid.UUID(int=1)}},  # the draft's save URL
        )
        assert 'value="1234"' in html  # the version
        assert 'value="1500"' in html and 'max="250000"' in html
        html = render_to_string("assessments/_question.html", {"q": text, "sandbox": True})
        assert 'maxlength="4000"' in html
        # the version a save hands back to the form
        html = render_to_string(
            "assessments/_save_status.html",
            {"key": "staff", "answer": {"version": 1234}, "saved": True},
        )
        assert 'name="staff__version" value="1234"' in html
