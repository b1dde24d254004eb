from celery import shared_task
from django.db import OperationalError

from apps.common.batching import fan_out
from apps.goals.services.milestones import goal_milestone_ranges, goal_milestones_check_range


@shared_task(acks_late=True)
def check_goal_milestones() -> dict:
    """Daily (beat: check-goal-milestones-daily). One id range runs inline; more fan out as chunk tasks."""
    return fan_out(
        goal_milestone_ranges(),
        run=lambda r: goal_milestones_check_range(start_id=r.start, end_id=r.end),
        chunk_task=check_goal_milestones_chunk,
    )


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def check_goal_milestones_chunk(start_id: int, end_id: int) -> int:
    return goal_milestones_check_range(start_id=start_id, end_id=end_id)


@shared_task(acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def check_goal_milestones_for_goal(goal_id: int) -> int:
    """The same exactly-once check for one goal (contributions do it in their own transaction)."""
    return goal_milestones_check_range(start_id=goal_id, end_id=goal_id)
