from django.urls import path

from apps.common import converters  # noqa: F401 — registers <id:>
from apps.goals import apis

urlpatterns = [
    path("goals/", apis.GoalListApi.as_view(), name="goal-list"),
    path("goals/<id:goal_id>/", apis.GoalDetailApi.as_view(), name="goal-detail"),
    path(
        "goals/<id:goal_id>/contributions/", apis.GoalContributionListApi.as_view(), name="goal-contributions"
    ),
]
