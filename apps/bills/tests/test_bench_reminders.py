"""Smoke test of bench/reminders.py with a tiny N (the real sizes run by hand or in `make bench`)."""

import pytest

from apps.bills.models import Bill
from apps.households.models import Household
from apps.notifications.models import Notification
from apps.users.models import User
from bench import reminders


@pytest.mark.django_db
def test_bench_measures_the_job_and_cleans_up(capsys):
    result = reminders.measure(50, members=2)
    assert (result["bills"], result["reminders"], result["chunks"]) == (50, 100, 1)
    assert result["items_per_s"] > 0
    assert 0 < result["peak_memory_mb"] < 50
    assert not Bill.objects.exists()
    assert not Household.objects.exists()
    assert not User.objects.exists()
    assert not Notification.objects.exists()

    assert reminders.main(["--sizes", "30"]) == 0
    assert "items/s" in capsys.readouterr().out
