from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.common.schema import errors
from apps.common.throttles import IPRateThrottle, throttle
from apps.users.auth.authentication import current_session_id
from apps.users.auth.permissions import REAUTHENTICATION_REQUIRED, RecentlyReauthenticated
from apps.users.auth.services.passwords import password_change
from apps.users.auth.services.sessions import session_revoke_own, sessions_revoke_others
from apps.users.models import LoginSession
from apps.users.selectors import login_session_list
from apps.users.serializers import NewPasswordSerializer


class LoginSessionSerializer(serializers.ModelSerializer):
    current = serializers.SerializerMethodField()

    class Meta:
        model = LoginSession
        fields = ["id", "created_at", "last_used_at", "ip_address", "user_agent", "method", "current"]

    def get_current(self, obj) -> bool:
        return str(obj.id) == self.context.get("current_session_id")


class SessionListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: LoginSessionSerializer(many=True), **errors(401)},
        tags=["sessions"],
        summary="Your active logins, one per refresh-token family",
    )
    def get(self, request):
        sessions = login_session_list(user=request.user)
        context = {"current_session_id": current_session_id(request)}
        return Response(LoginSessionSerializer(sessions, many=True, context=context).data)


class SessionRevokeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={204: None, **errors(401, 404)},
        tags=["sessions"],
        summary="Sign out one session",
    )
    def delete(self, request, session_id):
        session_revoke_own(user=request.user, session_id=session_id, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SessionRevokeOthersApi(APIView):
    permission_classes = [IsAuthenticated, RecentlyReauthenticated]

    @extend_schema(
        request=None,
        responses={
            200: inline_serializer("SessionsRevokedResponse", {"revoked": serializers.IntegerField()}),
            403: REAUTHENTICATION_REQUIRED,
            **errors(401),
        },
        tags=["sessions"],
        summary="Sign out every session except this one",
    )
    def post(self, request):
        count = sessions_revoke_others(
            user=request.user, current_session_id=current_session_id(request), request=request
        )
        return Response({"revoked": count})


class PasswordChangeInputSerializer(NewPasswordSerializer):
    current_password = serializers.CharField(max_length=128, trim_whitespace=False)


class PasswordChangeApi(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [throttle("password_change_ip", IPRateThrottle)]

    @extend_schema(
        request=PasswordChangeInputSerializer,
        responses={
            200: inline_serializer(
                "PasswordChangedResponse",
                {"message": serializers.CharField(), "sessions_revoked": serializers.IntegerField()},
            ),
            **errors(400, 401, 429),
        },
        tags=["auth"],
        summary="Change your password",
    )
    def post(self, request):
        data = PasswordChangeInputSerializer(data=request.data, context={"user": request.user})
        data.is_valid(raise_exception=True)
        revoked = password_change(
            user=request.user,
            current_password=data.validated_data["current_password"],
            new_password=data.validated_data["new_password"],
            current_session_id=current_session_id(request),
            request=request,
        )
        return Response({"message": "Password changed.", "sessions_revoked": revoked})
