"""Invitations: send, list, revoke; accept one with its token."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.common.pagination import list_schema, paginated_response
from apps.common.schema import errors
from apps.common.serializers import validated_body
from apps.common.throttles import PostThrottledMixin, UserRateThrottle, throttle
from apps.households import selectors, services
from apps.households.serializers import (
    HouseholdSerializer,
    InviteAcceptSerializer,
    InviteInputSerializer,
    InviteSerializer,
)

TAGS = ["households"]


class InviteListApi(PostThrottledMixin, APIView):
    throttle_classes = [throttle("household_invite_user", UserRateThrottle)]

    @list_schema(
        InviteSerializer,
        statuses=(401, 403, 404),
        tags=TAGS,
        summary="Open invitations (owners and admins)",
        operation_id="v1_households_invites_list",
    )
    def get(self, request, household_id: int):
        invites = selectors.invite_list(user=request.user, household_id=household_id)
        return paginated_response(
            request=request, view=self, queryset=invites, serializer_class=InviteSerializer
        )

    @extend_schema(
        request=InviteInputSerializer,
        responses={201: InviteSerializer, **errors(400, 401, 403, 404, 409, 429)},
        tags=TAGS,
        summary="Invite someone by email",
        description="Emails an accept link ({FRONTEND_URL}/invites/accept?token=...). The token is never "
        "returned by the API; it expires after HOUSEHOLD_INVITE_TTL_DAYS and works once.",
    )
    def post(self, request, household_id: int):
        data = validated_body(request, InviteInputSerializer)
        invite = services.invite_create(
            actor=request.user, household_id=household_id, **data, request=request
        )
        return Response(InviteSerializer(invite).data, status=status.HTTP_201_CREATED)


class InviteDetailApi(APIView):
    @extend_schema(
        responses={204: None, **errors(401, 403, 404)},
        tags=TAGS,
        summary="Revoke an open invitation",
        description="Owners revoke any open invitation, admins only member and viewer ones (403 with code "
        "not_allowed for an admin invitation; not_manager for members and viewers).",
    )
    def delete(self, request, household_id: int, invite_id: int):
        services.invite_revoke(
            actor=request.user, household_id=household_id, invite_id=invite_id, request=request
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class InviteAcceptApi(APIView):
    throttle_classes = [throttle("invite_accept_user", UserRateThrottle)]

    @extend_schema(
        request=InviteAcceptSerializer,
        responses={200: HouseholdSerializer, **errors(400, 401, 403, 404, 409, 410, 429)},
        tags=TAGS,
        summary="Accept an invitation (signed in as the invited email address)",
        description="403 with code invite_email_mismatch (signed in as another address) or "
        "inviter_not_allowed (whoever sent it has since been removed, left, was demoted below the role, or "
        "deleted their account); 404 invite_not_found (unknown or revoked); 409 invite_used or "
        "already_member; 410 invite_expired.",
    )
    def post(self, request):
        token = validated_body(request, InviteAcceptSerializer)["token"]
        membership = services.invite_accept(user=request.user, token=token, request=request)
        return Response(HouseholdSerializer(membership).data)
