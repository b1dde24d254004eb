from datetime import date

import pytest

from apps.bills.recurrence import next_due_date, occurrences


def test_monthly_bill_on_the_31st_clamps_to_february_and_returns_to_the_31st():
    assert occurrences(date(2025, 1, 31), "monthly", 31, date(2025, 5, 31)) == [
        date(2025, 1, 31),
        date(2025, 2, 28),
        date(2025, 3, 31),
        date(2025, 4, 30),
        date(2025, 5, 31),
    ]


def test_monthly_bill_in_a_leap_year_lands_on_february_29th():
    assert next_due_date(date(2024, 1, 31), "monthly", 31) == date(2024, 2, 29)
    assert next_due_date(date(2024, 2, 29), "monthly", 31) == date(2024, 3, 31)
    assert next_due_date(date(2024, 1, 30), "monthly", 30) == date(2024, 2, 29)
    assert next_due_date(date(2024, 2, 29), "monthly", 30) == date(2024, 3, 30)


def test_monthly_bill_on_the_29th_skips_nothing_in_a_common_year():
    assert next_due_date(date(2023, 1, 29), "monthly", 29) == date(2023, 2, 28)
    assert next_due_date(date(2023, 2, 28), "monthly", 29) == date(2023, 3, 29)


def test_monthly_rollover_crosses_the_year_end():
    assert next_due_date(date(2025, 12, 31), "monthly", 31) == date(2026, 1, 31)
    assert next_due_date(date(2025, 11, 30), "monthly", 31) == date(2025, 12, 31)


def test_yearly_bill_on_february_29th_falls_back_to_the_28th_and_returns_in_leap_years():
    assert occurrences(date(2024, 2, 29), "yearly", 29, date(2028, 12, 31)) == [
        date(2024, 2, 29),
        date(2025, 2, 28),
        date(2026, 2, 28),
        date(2027, 2, 28),
        date(2028, 2, 29),
    ]


def test_century_years_follow_the_gregorian_rule():
    assert next_due_date(date(2100, 1, 31), "monthly", 31) == date(2100, 2, 28)  # 2100 is not a leap year
    assert next_due_date(date(2000, 1, 31), "monthly", 31) == date(2000, 2, 29)  # 2000 is


def test_weekly_adds_seven_days_across_month_and_year_ends():
    assert next_due_date(date(2024, 2, 26), "weekly") == date(2024, 3, 4)
    assert next_due_date(date(2025, 12, 29), "weekly") == date(2026, 1, 5)


def test_one_off_bill_has_no_next_date():
    assert next_due_date(date(2025, 1, 1), "none") is None


@pytest.mark.parametrize("anchor", [28, 29, 30, 31])
def test_a_year_of_monthly_dates_never_drifts_from_the_anchor(anchor):
    dates = occurrences(date(2023, 1, anchor), "monthly", anchor, date(2024, 12, 31))
    assert len(dates) == 24
    assert all(d.day == anchor or d.month == 2 or (d.day == 30 and anchor == 31) for d in dates)
