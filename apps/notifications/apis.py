from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.common.pagination import list_schema, paginated_response, query_filters
from apps.common.schema import errors
from apps.common.serializers import validated_body
from apps.notifications import selectors, services
from apps.notifications.serializers import (
    MarkAllReadInputSerializer,
    MarkAllReadResultSerializer,
    NotificationFilterSerializer,
    NotificationSerializer,
    PreferenceSerializer,
    PreferenceUpdateSerializer,
)

TAGS = ["notifications"]


class NotificationListApi(APIView):
    @list_schema(
        NotificationSerializer,
        filters=NotificationFilterSerializer,
        statuses=(400, 401),
        tags=TAGS,
        summary="Your notifications, newest first (?unread=true for unread only)",
        operation_id="v1_notifications_list",
    )
    def get(self, request):
        filters = query_filters(request, NotificationFilterSerializer)
        notifications = selectors.notification_list(user=request.user, filters=filters)
        return paginated_response(
            request=request, view=self, queryset=notifications, serializer_class=NotificationSerializer
        )


class NotificationReadApi(APIView):
    @extend_schema(
        request=None,
        responses={200: NotificationSerializer, **errors(401, 404)},
        tags=TAGS,
        summary="Mark one notification read",
    )
    def post(self, request, notification_id: int):
        notification = services.notification_mark_read(user=request.user, notification_id=notification_id)
        return Response(NotificationSerializer(notification).data)


class NotificationReadAllApi(APIView):
    @extend_schema(
        request=MarkAllReadInputSerializer,
        responses={200: MarkAllReadResultSerializer, **errors(400, 401)},
        tags=TAGS,
        summary="Mark all your notifications read (optionally one household's)",
    )
    def post(self, request):
        data = validated_body(request, MarkAllReadInputSerializer)
        updated = services.notifications_mark_all_read(user=request.user, household_id=data.get("household"))
        return Response({"updated": updated})


class PreferenceListApi(APIView):
    @extend_schema(
        responses={200: PreferenceSerializer(many=True), **errors(401)},
        tags=TAGS,
        summary="Your notification channels per kind (email and/or in-app)",
    )
    def get(self, request):
        return Response(PreferenceSerializer(selectors.preference_list(user=request.user), many=True).data)


class PreferenceDetailApi(APIView):
    @extend_schema(
        request=PreferenceUpdateSerializer,
        responses={200: PreferenceSerializer, **errors(400, 401, 404)},
        tags=TAGS,
        summary="Turn email or in-app notifications of one kind on or off",
    )
    def patch(self, request, kind: str):
        data = validated_body(request, PreferenceUpdateSerializer)
        preference = services.preference_update(user=request.user, kind=kind, **data)
        return Response(PreferenceSerializer(preference).data)
