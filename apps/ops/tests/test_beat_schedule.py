"""The beat schedule is in the database after `migrate`, once, in TIME_ZONE."""

import pytest
from django.apps import apps
from django.core.management import call_command
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from config.celery import app as celery_app

pytestmark = pytest.mark.django_db


def _counts():
    return PeriodicTask.objects.count(), CrontabSchedule.objects.count(), IntervalSchedule.objects.count()


@pytest.mark.parametrize(
    ("name", "task", "hour"),
    [
        ("send-bill-reminders-daily", "apps.bills.tasks.send_bill_reminders", "9"),
        ("check-goal-milestones-daily", "apps.goals.tasks.check_goal_milestones", "10"),
    ],
)
def test_migrate_installs_the_plans_daily_tasks_in_the_time_zone(name, task, hour, settings):
    entry = PeriodicTask.objects.select_related("crontab").get(name=name)
    assert entry.task == task
    assert entry.enabled
    assert entry.interval is None
    assert (entry.crontab.minute, entry.crontab.hour) == ("0", hour)
    assert (entry.crontab.day_of_week, entry.crontab.day_of_month, entry.crontab.month_of_year) == ("*",) * 3
    assert str(entry.crontab.timezone) == settings.TIME_ZONE


def test_outbox_sweeper_runs_every_minute_and_drops_runs_that_waited_too_long():
    entry = PeriodicTask.objects.select_related("interval").get(name="sweep-email-outbox")
    assert entry.task == "apps.emails.tasks.sweep_outbox"
    assert (entry.interval.every, entry.interval.period) == (60, IntervalSchedule.SECONDS)
    assert entry.expire_seconds == 60


def test_housekeeping_runs_daily():
    tasks = dict(PeriodicTask.objects.filter(crontab__isnull=False).values_list("name", "task"))
    assert tasks["prune-email-outbox-daily"] == "apps.emails.tasks.prune_outbox"
    assert tasks["flush-expired-tokens-daily"] == "apps.ops.tasks.flush_expired_tokens"
    assert tasks["purge-expired-auth-records-daily"] == "apps.ops.tasks.purge_expired_auth_records"
    assert tasks["purge-stale-invites-daily"] == "apps.households.tasks.purge_stale_invites"
    assert tasks["purge-read-notifications-daily"] == "apps.notifications.tasks.purge_read_notifications"
    assert tasks["purge-old-reports-daily"] == "apps.reports.tasks.purge_old_reports"


def test_running_migrate_again_duplicates_nothing_and_keeps_an_operators_disable():
    PeriodicTask.objects.filter(name="check-goal-milestones-daily").update(enabled=False)
    before = _counts()
    call_command("migrate", verbosity=0)
    call_command("migrate", verbosity=0)
    assert _counts() == before
    assert not PeriodicTask.objects.get(name="check-goal-milestones-daily").enabled


def test_migrate_brings_an_existing_entry_in_line_with_the_code(settings):
    settings.EMAIL_OUTBOX_SWEEP_SECONDS = 15
    PeriodicTask.objects.filter(name="send-bill-reminders-daily").update(task="something.else")
    call_command("migrate", verbosity=0)
    assert PeriodicTask.objects.get(name="sweep-email-outbox").interval.every == 15
    assert PeriodicTask.objects.get(name="send-bill-reminders-daily").task == (
        "apps.bills.tasks.send_bill_reminders"
    )
    assert PeriodicTask.objects.filter(name="sweep-email-outbox").count() == 1


def test_crontabs_follow_a_changed_time_zone(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    call_command("migrate", verbosity=0)
    entry = PeriodicTask.objects.select_related("crontab").get(name="send-bill-reminders-daily")
    assert str(entry.crontab.timezone) == "Europe/Berlin"


def test_every_scheduled_task_of_an_installed_app_is_registered():
    """Tasks of apps not built yet (bills, goals) are checked as soon as their app is installed."""
    celery_app.loader.import_default_modules()
    scheduled = PeriodicTask.objects.values_list("task", flat=True)
    ours = [task for task in scheduled if apps.is_installed(task.rsplit(".tasks.", 1)[0])]
    assert {"apps.emails.tasks.sweep_outbox", "apps.ops.tasks.flush_expired_tokens"} <= set(ours)
    assert [task for task in ours if task not in celery_app.tasks] == []
