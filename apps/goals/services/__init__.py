from apps.goals.services.goals import goal_contribute, goal_create, goal_delete, goal_update

__all__ = ["goal_contribute", "goal_create", "goal_delete", "goal_update"]
