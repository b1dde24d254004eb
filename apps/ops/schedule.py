"""The beat schedule, kept in code and written into django-celery-beat's tables after every `migrate`.

Beat runs with the DatabaseScheduler, so the tables are what runs. Installing is idempotent: each entry is
found by its name and brought in line with the code (task and timing); nothing is duplicated on re-runs, and
an operator who disables an entry in the admin keeps it disabled.
"""

import json
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScheduledJob:
    name: str
    task: str
    description: str
    crontab: dict[str, str] | None = None  # minute/hour/day_of_week/... in settings.TIME_ZONE
    every_seconds: int | None = None
    # A run still queued this long after beat sent it is dropped: a later run does the same work.
    expire_seconds: int | None = None
    kwargs: dict = field(default_factory=dict)


def _nightly(name: str, task: str, description: str, *, minute: int) -> ScheduledJob:
    """A housekeeping job at 03:`minute`, dropped if still queued six hours on (the next night's run does
    the same work)."""
    return ScheduledJob(
        name=name,
        task=task,
        description=description,
        crontab={"minute": str(minute), "hour": "3"},
        expire_seconds=6 * 3600,
    )


def scheduled_jobs() -> list[ScheduledJob]:
    sweep = settings.EMAIL_OUTBOX_SWEEP_SECONDS
    return [
        ScheduledJob(
            name="send-bill-reminders-daily",
            task="apps.bills.tasks.send_bill_reminders",
            description="Remind household members of bills coming due.",
            crontab={"minute": "0", "hour": "9"},
        ),
        ScheduledJob(
            name="check-goal-milestones-daily",
            task="apps.goals.tasks.check_goal_milestones",
            description="Notify households of savings goals that reached a milestone.",
            crontab={"minute": "0", "hour": "10"},
        ),
        ScheduledJob(
            name="sweep-email-outbox",
            task="apps.emails.tasks.sweep_outbox",
            description="Re-enqueue outbox emails whose delivery message was never sent, lost or abandoned.",
            every_seconds=sweep,
            expire_seconds=max(sweep, 30),
        ),
        _nightly(
            "prune-email-outbox-daily",
            "apps.emails.tasks.prune_outbox",
            "Delete sent and failed outbox rows older than EMAIL_OUTBOX_RETENTION_DAYS.",
            minute=30,
        ),
        _nightly(
            "flush-expired-tokens-daily",
            "apps.ops.tasks.flush_expired_tokens",
            "Delete expired refresh-token records (and their blacklist entries).",
            minute=0,
        ),
        _nightly(
            "purge-expired-auth-records-daily",
            "apps.ops.tasks.purge_expired_auth_records",
            "Delete one-time codes, MFA challenges, resets and sessions a week after expiry.",
            minute=15,
        ),
        _nightly(
            "purge-stale-invites-daily",
            "apps.households.tasks.purge_stale_invites",
            "Delete household invites long past their expiry.",
            minute=20,
        ),
        _nightly(
            "purge-read-notifications-daily",
            "apps.notifications.tasks.purge_read_notifications",
            "Delete notifications read more than 90 days ago.",
            minute=25,
        ),
        _nightly(
            "purge-old-reports-daily",
            "apps.reports.tasks.purge_old_reports",
            "Delete generated reports (and their CSV) 30 days after they finished.",
            minute=40,
        ),
    ]


def _schedule_for(job: ScheduledJob, using: str):
    if job.crontab is not None:
        fields = {"minute": "*", "hour": "*", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*"}
        fields.update(job.crontab)
        schedule = CrontabSchedule.objects.using(using).filter(timezone=settings.TIME_ZONE, **fields).first()
        return "crontab", schedule or CrontabSchedule.objects.using(using).create(
            timezone=settings.TIME_ZONE, **fields
        )
    schedule = (
        IntervalSchedule.objects.using(using)
        .filter(every=job.every_seconds, period=IntervalSchedule.SECONDS)
        .first()
    )
    return "interval", schedule or IntervalSchedule.objects.using(using).create(
        every=job.every_seconds, period=IntervalSchedule.SECONDS
    )


def schedule_install(using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """Create or update every ScheduledJob's PeriodicTask row (a post_migrate receiver; safe to re-run)."""
    if PeriodicTask._meta.db_table not in connections[using].introspection.table_names():
        return  # beat's tables are not migrated yet (e.g. `migrate` run for a single app)
    for job in scheduled_jobs():
        kind, schedule = _schedule_for(job, using)
        wanted = {
            "task": job.task,
            "interval": schedule if kind == "interval" else None,
            "crontab": schedule if kind == "crontab" else None,
            "solar": None,
            "clocked": None,
            "expire_seconds": job.expire_seconds,
            "expires": None,
            "kwargs": json.dumps(job.kwargs, sort_keys=True),
            "description": job.description,
        }
        task = PeriodicTask.objects.using(using).filter(name=job.name).first()
        if task is None:
            PeriodicTask(name=job.name, **wanted).save(using=using)
            logger.info("Beat schedule: added %s", job.name)
        elif any(getattr(task, key) != value for key, value in wanted.items()):
            for key, value in wanted.items():
                setattr(task, key, value)
            task.save(using=using)
            logger.info("Beat schedule: updated %s", job.name)
