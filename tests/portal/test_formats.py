"""Dates read day-month-year in both languages."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from django.utils.formats import date_format

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
