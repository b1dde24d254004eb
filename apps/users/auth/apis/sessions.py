"""Login sessions: rotate a refresh token, log out, list your sessions and sign them out."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.common.schema import errors
from apps.common.serializers import validated_body
from apps.common.throttles import IPRateThrottle, throttle
from apps.users.auth.authentication import current_session_id
from apps.users.auth.permissions import REAUTHENTICATION_REQUIRED, RecentlyReauthenticated
from apps.users.auth.services.sessions import (
    session_logout,
    session_refresh,
    session_revoke_own,
    sessions_revoke_others,
)
from apps.users.models import LoginSession
from apps.users.selectors import login_session_list
from apps.users.serializers import (
    MessageSerializer,
    RefreshInputSerializer,
    TokenPairSerializer,
)


class TokenRefreshApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [throttle("token_refresh_ip", IPRateThrottle)]

    @extend_schema(
        request=RefreshInputSerializer,
        responses={200: TokenPairSerializer, **errors(400, 401, 429)},
        tags=["auth"],
        summary="Rotate a refresh token",
    )
    def post(self, request):
        data = validated_body(request, RefreshInputSerializer)
        pair = session_refresh(refresh=data["refresh"], request=request)
        return Response({"access": pair.access, "refresh": pair.refresh})


class LogoutApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [throttle("token_refresh_ip", IPRateThrottle)]

    @extend_schema(
        request=RefreshInputSerializer,
        responses={200: MessageSerializer, **errors(400, 401)},
        tags=["auth"],
        summary="Log out: revoke this refresh token's session",
    )
    def post(self, request):
        data = validated_body(request, RefreshInputSerializer)
        session_logout(refresh=data["refresh"], request=request)
        return Response({"message": "Logged out."})


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
