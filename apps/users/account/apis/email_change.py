"""Email change: ask, confirm from both addresses (link or code), cancel from the old one."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.common.schema import ErrorBody, errors
from apps.common.serializers import InputSerializer, validated_body
from apps.common.throttles import IPRateThrottle, UserRateThrottle, throttle
from apps.users.account.services.email_change import (
    NEW,
    OLD,
    email_change_cancel,
    email_change_confirm_code,
    email_change_confirm_token,
    email_change_request,
)
from apps.users.auth.authentication import current_session_id
from apps.users.auth.permissions import REAUTHENTICATION_REQUIRED
from apps.users.models import EMAIL_CHANGE_LIFETIME
from apps.users.validators import validate_not_special_use

CHANGE_SENT = (
    "We sent a link and a code to the new address, and told your current address. Your email changes once "
    "you confirm it (from both addresses, unless this server asks only the new one)."
)
CHANGE_DONE = (
    "Your email address has been changed. Every session was signed out: sign in with the new address."
)
CHANGE_WAITING = {
    OLD: "Confirmed. Now confirm from your current address too (link or code); then the change applies.",
    NEW: "Confirmed. Now confirm from the new address too (link or code); then the change applies.",
}
CHANGE_CANCELLED = (
    "The email change was cancelled and every session signed out. If you did not ask for it, someone may "
    "know your password: reset it now."
)


class EmailChangeInputSerializer(InputSerializer):
    new_email = serializers.EmailField(
        max_length=254,
        validators=[validate_not_special_use],
        help_text="Special-use domains (.invalid, .test, .localhost, .example, …) are refused.",
    )
    current_password = serializers.CharField(
        max_length=128,
        trim_whitespace=False,
        required=False,
        help_text="Proves it is you. Leave it out only if this session reauthenticated within the last "
        "REAUTHENTICATION_MINUTES (or just signed in).",
    )


class EmailChangeOutputSerializer(serializers.Serializer):
    message = serializers.CharField()
    expires_in = serializers.IntegerField(help_text="Seconds the emailed link and code stay valid.")


class EmailChangeConfirmInputSerializer(InputSerializer):
    """`token` from either email's link (no login needed), or `code` from one of the emails, sent by the
    session that asked for the change; `address` says which email the code came from."""

    token = serializers.CharField(required=False, max_length=512)
    code = serializers.CharField(required=False, max_length=32)
    address = serializers.ChoiceField(
        choices=[("new", "the new address"), ("old", "the current address")],
        required=False,
        default="new",
        help_text="Which address received the code (default: the new one). Ignored with `token`.",
    )

    def validate(self, attrs):
        if not attrs.get("token") and not attrs.get("code"):
            raise serializers.ValidationError(
                {"non_field_errors": ["Send the token from the link, or the code from the email."]}
            )
        return attrs


class EmailChangeConfirmOutputSerializer(serializers.Serializer):
    message = serializers.CharField()
    email = serializers.EmailField(help_text="The account's address now (the new one once `changed`).")
    changed = serializers.BooleanField(help_text="True once the change applied (every session signed out).")
    waiting_for = serializers.ChoiceField(
        choices=[(NEW, "the new address"), (OLD, "the current address")],
        allow_null=True,
        help_text="While not changed: the address that still has to confirm.",
    )


class EmailChangeCancelInputSerializer(InputSerializer):
    token = serializers.CharField(
        max_length=512, help_text="The token of the cancel link sent to the current address."
    )


class EmailChangeCancelOutputSerializer(serializers.Serializer):
    message = serializers.CharField()
    sessions_revoked = serializers.IntegerField()


CHANGE_REFUSED = OpenApiResponse(
    ErrorBody,
    description=(
        "Field errors (`non_field_errors`), or a refusal with `code`: invalid_token (unknown, used or "
        "replaced link), invalid_code (wrong, or past its 5 tries), expired, email_change_void (the change "
        "was voided by a password change or reset, a session revocation, MFA turned on or off, or a cancel: "
        "ask again)."
    ),
)
CHANGE_OTHER_SESSION = OpenApiResponse(
    ErrorBody,
    description="`code: email_change_other_session`: a code must come from the live session that asked.",
)
CANCEL_REFUSED = OpenApiResponse(
    ErrorBody, description="`code`: invalid_token (unknown or already used link), expired."
)
CANCEL_APPLIED = OpenApiResponse(
    ErrorBody, description="`code: email_change_applied`: both addresses confirmed already; nothing was done."
)


class EmailChangeApi(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [throttle("email_change_user", UserRateThrottle)]

    @extend_schema(
        request=EmailChangeInputSerializer,
        responses={
            200: EmailChangeOutputSerializer,
            403: REAUTHENTICATION_REQUIRED,
            **errors(400, 401, 429),
        },
        tags=["auth"],
        summary="Change your email: sends a link and a code to the new address; nothing changes until then",
        description=(
            "The new address gets a link and a code; the current address is told at once, with a link that "
            "cancels the change and signs out every session (and, by default, its own link and code: the "
            "change needs both addresses). 400: code wrong_password (wrong current passwords count against "
            "the account's PASSWORD_FAILURE_BUDGET, then 429), or field errors on `new_email` (invalid, "
            "your current address, or already used by an account unless ACCOUNT_PREVENT_ENUMERATION is on; "
            "then the answer is the usual 200 and nothing is sent). 403 reauthentication_required: no "
            "`current_password` and no recent reauthentication of this session."
        ),
    )
    def post(self, request):
        data = validated_body(request, EmailChangeInputSerializer)
        email_change_request(
            user=request.user,
            new_email=data["new_email"],
            current_password=data.get("current_password"),
            session_id=current_session_id(request),
            request=request,
        )
        return Response({"message": CHANGE_SENT, "expires_in": int(EMAIL_CHANGE_LIFETIME.total_seconds())})


class EmailChangeConfirmApi(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [throttle("email_change_confirm_ip", IPRateThrottle)]

    @extend_schema(
        request=EmailChangeConfirmInputSerializer,
        responses={
            200: EmailChangeConfirmOutputSerializer,
            400: CHANGE_REFUSED,
            403: CHANGE_OTHER_SESSION,
            **errors(401, 409, 429),
        },
        tags=["auth"],
        summary="Confirm an email change from one address, with its link's token or (signed in) its code",
        description=(
            "The change applies once the new address and (unless EMAIL_CHANGE_CONFIRM_OLD_ADDRESS is off) "
            "the current one have both confirmed; until then the answer says which address is still awaited. "
            "When it applies, every session is signed out (the one that asked too) and the old address is "
            "told (it sees only a masked form of the new one). 401: a code without being signed in. 403: a "
            "code from another session than the one that asked. 409 (code email_taken): another account took "
            "the address meanwhile; nothing changed. 429: too many wrong codes for this account "
            "(EMAIL_CHANGE_FAILURE_BUDGET)."
        ),
    )
    def post(self, request):
        values = validated_body(request, EmailChangeConfirmInputSerializer)
        if values.get("token"):
            outcome = email_change_confirm_token(token=values["token"], request=request)
        else:
            if not request.user.is_authenticated:
                raise NotAuthenticated("Sign in to confirm with a code, or use the link.")
            outcome = email_change_confirm_code(
                user=request.user,
                session_id=current_session_id(request),
                code=values["code"],
                address=OLD if values["address"] == "old" else NEW,
                request=request,
            )
        message = CHANGE_DONE if outcome.waiting_for is None else CHANGE_WAITING[outcome.waiting_for]
        return Response(
            {
                "message": message,
                "email": outcome.user.email,
                "changed": outcome.changed,
                "waiting_for": outcome.waiting_for,
            }
        )


class EmailChangeCancelApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [throttle("email_change_cancel_ip", IPRateThrottle)]

    @extend_schema(
        request=EmailChangeCancelInputSerializer,
        responses={
            200: EmailChangeCancelOutputSerializer,
            400: CANCEL_REFUSED,
            409: CANCEL_APPLIED,
            **errors(429),
        },
        tags=["auth"],
        summary='"It wasn\'t me": cancel an email change from the current address and sign out every session',
        description=(
            "The token comes from the link emailed to the current address when the change was asked for. "
            "Every pending email change of the account is voided and every session signed out. Works once, "
            "for 24 hours, and not once the change has applied."
        ),
    )
    def post(self, request):
        data = validated_body(request, EmailChangeCancelInputSerializer)
        revoked = email_change_cancel(token=data["token"], request=request)
        return Response({"message": CHANGE_CANCELLED, "sessions_revoked": revoked})
