"""The reauthentication gate for sensitive endpoints (the rule: apps.users.auth.services.reauthentication)."""

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import BasePermission

from apps.users.auth.authentication import current_session_id
from apps.users.auth.services.reauthentication import reauthentication_check

METHODS = ["password", "email_code", "totp", "recovery_code"]
REQUIRED_CODE = ["reauthentication_required"]

REAUTHENTICATION_REQUIRED = OpenApiResponse(
    inline_serializer(
        "ReauthenticationRequired",
        fields={
            "error": serializers.CharField(),
            "code": serializers.ChoiceField(choices=REQUIRED_CODE),
            "methods": serializers.ListField(
                child=serializers.ChoiceField(choices=METHODS),
                help_text="How this account can reauthenticate: password → POST "
                "auth/reauthenticate/password/, email_code → POST auth/reauthenticate/email-code/request/ "
                "then …/email-code/, totp and recovery_code → POST auth/reauthenticate/mfa/.",
            ),
        },
    ),
    description=(
        "`reauthentication_required`: this session gave no proof of identity (its login, or a "
        "reauthentication) within REAUTHENTICATION_MINUTES (default 5). Reauthenticate, then repeat the "
        "request. Nothing was changed."
    ),
)


class RecentlyReauthenticated(BasePermission):
    """Lets the request through only if its session gave a proof of identity recently; else 403 with the ways
    to give one. List it after IsAuthenticated (which answers 401 for anonymous requests)."""

    def has_permission(self, request, view):
        if request.user and request.user.is_authenticated:
            reauthentication_check(user=request.user, session_id=current_session_id(request))
        return True
