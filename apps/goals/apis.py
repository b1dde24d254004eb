from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.common.pagination import list_schema, paginated_response, query_filters
from apps.common.schema import errors
from apps.common.serializers import validated_body
from apps.goals import selectors, services
from apps.goals.serializers import (
    ContributionInputSerializer,
    ContributionResultSerializer,
    ContributionSerializer,
    GoalFilterSerializer,
    GoalInputSerializer,
    GoalSerializer,
    GoalUpdateSerializer,
)

TAGS = ["goals"]


def _fresh(request, goal_id: int):
    return selectors.goal_list(user=request.user).get(id=goal_id)


class GoalListApi(APIView):
    @list_schema(
        GoalSerializer,
        filters=GoalFilterSerializer,
        statuses=(400, 401),
        tags=TAGS,
        summary="Savings goals in your households",
        operation_id="v1_goals_list",
    )
    def get(self, request):
        goals = selectors.goal_list(user=request.user, filters=query_filters(request, GoalFilterSerializer))
        return paginated_response(request=request, view=self, queryset=goals, serializer_class=GoalSerializer)

    @extend_schema(
        request=GoalInputSerializer,
        responses={201: GoalSerializer, **errors(400, 401, 403)},
        tags=TAGS,
        summary="Create a savings goal (not viewers)",
    )
    def post(self, request):
        fields = validated_body(request, GoalInputSerializer, request=request)
        goal = services.goal_create(
            user=request.user,
            household_id=fields.pop("household"),
            owner_id=fields.pop("owner"),
            **fields,
            request=request,
        )
        return Response(GoalSerializer(_fresh(request, goal.id)).data, status=status.HTTP_201_CREATED)


class GoalDetailApi(APIView):
    @extend_schema(responses={200: GoalSerializer, **errors(401, 404)}, tags=TAGS, summary="A savings goal")
    def get(self, request, goal_id: int):
        selectors.goal_get(user=request.user, goal_id=goal_id)
        return Response(GoalSerializer(_fresh(request, goal_id)).data)

    @extend_schema(
        request=GoalUpdateSerializer,
        responses={200: GoalSerializer, **errors(400, 401, 403, 404)},
        tags=TAGS,
        summary="Change a goal (the balance changes only through contributions)",
    )
    def patch(self, request, goal_id: int):
        fields = validated_body(request, GoalUpdateSerializer)
        if "owner" in fields:
            fields["owner_id"] = fields.pop("owner")
        services.goal_update(user=request.user, goal_id=goal_id, data=fields, request=request)
        return Response(GoalSerializer(_fresh(request, goal_id)).data)

    @extend_schema(responses={204: None, **errors(401, 403, 404)}, tags=TAGS, summary="Delete a goal")
    def delete(self, request, goal_id: int):
        services.goal_delete(user=request.user, goal_id=goal_id, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class GoalContributionListApi(APIView):
    @list_schema(
        ContributionSerializer,
        statuses=(401, 404),
        tags=TAGS,
        summary="Contributions to a goal, newest first",
        operation_id="v1_goals_contributions_list",
    )
    def get(self, request, goal_id: int):
        contributions = selectors.goal_contribution_list(user=request.user, goal_id=goal_id)
        return paginated_response(
            request=request, view=self, queryset=contributions, serializer_class=ContributionSerializer
        )

    @extend_schema(
        request=ContributionInputSerializer,
        responses={201: ContributionResultSerializer, **errors(400, 401, 403, 404, 409)},
        tags=TAGS,
        summary="Contribute to a goal",
        description="Adds atomically to current_amount (concurrent contributions are never lost). Crossing "
        "25/50/75/100 % notifies the household (or the goal's owner) once per milestone, before this "
        "answers; `milestones_crossed` lists what this contribution crossed.",
    )
    def post(self, request, goal_id: int):
        data = validated_body(request, ContributionInputSerializer)
        result = services.goal_contribute(user=request.user, goal_id=goal_id, **data, request=request)
        return Response(
            {
                "goal": GoalSerializer(_fresh(request, goal_id)).data,
                "contribution": ContributionSerializer(result.contribution).data,
                "milestones_crossed": result.milestones_crossed,
            },
            status=status.HTTP_201_CREATED,
        )
