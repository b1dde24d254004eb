"""Password login: the first factor; with MFA on it ends at a challenge (mfa/apis/mfa.py)."""

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.common.schema import errors
from apps.common.serializers import validated_body
from apps.common.throttles import EmailRateThrottle, IPRateThrottle, throttle
from apps.users.auth.services.login import password_login
from apps.users.serializers import (
    LoginInputSerializer,
    LoginOutputSerializer,
    MfaChallengeSerializer,
    login_response_data,
)

LOGIN_RESPONSE = PolymorphicProxySerializer(
    component_name="LoginResponse",
    serializers=[LoginOutputSerializer, MfaChallengeSerializer],
    resource_type_field_name=None,
)


class LoginApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [
        throttle("login_ip", IPRateThrottle),
        throttle("login_email", EmailRateThrottle),
    ]

    @extend_schema(
        request=LoginInputSerializer,
        responses={200: LOGIN_RESPONSE, **errors(400, 401, 429)},
        tags=["auth"],
        summary="Log in with email and password",
    )
    def post(self, request):
        data = validated_body(request, LoginInputSerializer)
        result = password_login(**data, request=request)
        return Response(login_response_data(result))
