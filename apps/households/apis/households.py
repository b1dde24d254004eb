"""Households: create, list, read, rename, delete."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.common.pagination import list_schema, paginated_response
from apps.common.schema import errors
from apps.common.serializers import validated_body
from apps.households import selectors, services
from apps.households.serializers import (
    HouseholdInputSerializer,
    HouseholdSerializer,
    HouseholdUpdateSerializer,
)

TAGS = ["households"]


class HouseholdListApi(APIView):
    @list_schema(
        HouseholdSerializer,
        tags=TAGS,
        summary="Households you belong to, with your role in each",
        operation_id="v1_households_list",
    )
    def get(self, request):
        memberships = selectors.household_list_for_user(user=request.user)
        return paginated_response(
            request=request, view=self, queryset=memberships, serializer_class=HouseholdSerializer
        )

    @extend_schema(
        request=HouseholdInputSerializer,
        responses={201: HouseholdSerializer, **errors(400, 401)},
        tags=TAGS,
        summary="Create a household; you become its owner",
    )
    def post(self, request):
        data = validated_body(request, HouseholdInputSerializer)
        membership = services.household_create(user=request.user, **data, request=request)
        return Response(HouseholdSerializer(membership).data, status=status.HTTP_201_CREATED)


class HouseholdDetailApi(APIView):
    @extend_schema(responses={200: HouseholdSerializer, **errors(401, 404)}, tags=TAGS, summary="A household")
    def get(self, request, household_id: int):
        membership = selectors.membership_get(user=request.user, household_id=household_id)
        return Response(HouseholdSerializer(membership).data)

    @extend_schema(
        request=HouseholdUpdateSerializer,
        responses={200: HouseholdSerializer, **errors(400, 401, 403, 404)},
        tags=TAGS,
        summary="Rename a household or change its time zone or currency (owners and admins)",
    )
    def patch(self, request, household_id: int):
        data = validated_body(request, HouseholdUpdateSerializer)
        membership = services.household_update(
            user=request.user, household_id=household_id, data=data, request=request
        )
        return Response(HouseholdSerializer(membership).data)

    @extend_schema(
        responses={204: None, **errors(401, 403, 404)},
        tags=TAGS,
        summary="Delete a household and all its data (owners)",
    )
    def delete(self, request, household_id: int):
        services.household_delete(user=request.user, household_id=household_id, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)
