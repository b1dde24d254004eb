"""Members of a household: list, change a role, remove; leave a household."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.common.pagination import list_schema, paginated_response
from apps.common.schema import errors
from apps.common.serializers import validated_body
from apps.households import selectors, services
from apps.households.serializers import (
    MemberSerializer,
    RoleInputSerializer,
)

TAGS = ["households"]


class MemberListApi(APIView):
    @list_schema(
        MemberSerializer,
        statuses=(401, 404),
        tags=TAGS,
        summary="Members of a household",
        operation_id="v1_households_members_list",
    )
    def get(self, request, household_id: int):
        members = selectors.member_list(user=request.user, household_id=household_id)
        return paginated_response(
            request=request, view=self, queryset=members, serializer_class=MemberSerializer
        )


class MemberDetailApi(APIView):
    @extend_schema(
        request=RoleInputSerializer,
        responses={200: MemberSerializer, **errors(400, 401, 403, 404, 409)},
        tags=TAGS,
        summary="Change a member's role",
        description="Owners may set any role; admins manage members and viewers only. "
        "The last owner cannot be demoted (409 last_owner).",
    )
    def patch(self, request, household_id: int, user_id: int):
        role = validated_body(request, RoleInputSerializer)["role"]
        membership = services.member_change_role(
            actor=request.user, household_id=household_id, user_id=user_id, role=role, request=request
        )
        return Response(MemberSerializer(membership).data)

    @extend_schema(
        responses={204: None, **errors(401, 403, 404, 409)},
        tags=TAGS,
        summary="Remove a member (removing yourself is leaving)",
    )
    def delete(self, request, household_id: int, user_id: int):
        services.member_remove(
            actor=request.user, household_id=household_id, user_id=user_id, request=request
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class HouseholdLeaveApi(APIView):
    @extend_schema(
        request=None,
        responses={204: None, **errors(401, 404, 409)},
        tags=TAGS,
        summary="Leave a household (the last owner cannot: 409 last_owner)",
    )
    def post(self, request, household_id: int):
        services.household_leave(user=request.user, household_id=household_id, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)
