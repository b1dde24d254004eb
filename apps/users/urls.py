from django.urls import include, path
from rest_framework.routers import SimpleRouter

from apps.users.account.apis.account import MeApi
from apps.users.account.apis.email_change import EmailChangeApi, EmailChangeCancelApi, EmailChangeConfirmApi
from apps.users.account.apis.password_reset import PasswordResetApi, PasswordResetConfirmApi
from apps.users.account.apis.registration import RegisterApi
from apps.users.account.apis.verification import ResendVerificationApi, VerifyEmailApi
from apps.users.auth.apis.login import LoginApi
from apps.users.auth.apis.otp import EmailOTPViewSet
from apps.users.auth.apis.passwords import PasswordChangeApi
from apps.users.auth.apis.reauthentication import (
    ReauthenticateEmailCodeApi,
    ReauthenticateMfaApi,
    ReauthenticatePasswordApi,
    ReauthenticationCodeRequestApi,
)
from apps.users.auth.apis.sessions import (
    LogoutApi,
    SessionListApi,
    SessionRevokeApi,
    SessionRevokeOthersApi,
    TokenRefreshApi,
)
from apps.users.mfa.apis.mfa import (
    MfaStatusApi,
    MfaVerifyApi,
    RecoveryCodesRegenerateApi,
    TotpConfirmApi,
    TotpDisableApi,
    TotpEnrolApi,
)

router = SimpleRouter()
router.register("auth/otp", EmailOTPViewSet, basename="otp")  # names: otp-request-otp, otp-verify-otp

urlpatterns = [
    path("auth/login/", LoginApi.as_view(), name="login"),
    path("auth/token/refresh/", TokenRefreshApi.as_view(), name="token-refresh"),
    path("auth/logout/", LogoutApi.as_view(), name="logout"),
    path("auth/me/", MeApi.as_view(), name="me"),
    path("auth/sessions/", SessionListApi.as_view(), name="session-list"),
    path("auth/sessions/revoke-others/", SessionRevokeOthersApi.as_view(), name="session-revoke-others"),
    path("auth/sessions/<uuid:session_id>/", SessionRevokeApi.as_view(), name="session-revoke"),
    path("auth/password/change/", PasswordChangeApi.as_view(), name="password-change"),
    path("auth/password/reset/", PasswordResetApi.as_view(), name="password-reset"),
    path("auth/password/reset/confirm/", PasswordResetConfirmApi.as_view(), name="password-reset-confirm"),
    path("auth/email/change/", EmailChangeApi.as_view(), name="email-change"),
    path("auth/email/change/confirm/", EmailChangeConfirmApi.as_view(), name="email-change-confirm"),
    path("auth/email/change/cancel/", EmailChangeCancelApi.as_view(), name="email-change-cancel"),
    path("auth/register/", RegisterApi.as_view(), name="register"),
    path("auth/verify-email/", VerifyEmailApi.as_view(), name="verify-email"),
    path("auth/resend-verification/", ResendVerificationApi.as_view(), name="resend-verification"),
    path("auth/mfa/", MfaStatusApi.as_view(), name="mfa-status"),
    path("auth/mfa/totp/", TotpEnrolApi.as_view(), name="mfa-totp-enrol"),
    path("auth/mfa/totp/confirm/", TotpConfirmApi.as_view(), name="mfa-totp-confirm"),
    path("auth/mfa/totp/disable/", TotpDisableApi.as_view(), name="mfa-totp-disable"),
    path("auth/mfa/recovery-codes/", RecoveryCodesRegenerateApi.as_view(), name="mfa-recovery-codes"),
    path("auth/mfa/verify/", MfaVerifyApi.as_view(), name="mfa-verify"),
    path(
        "auth/reauthenticate/password/", ReauthenticatePasswordApi.as_view(), name="reauthenticate-password"
    ),
    path(
        "auth/reauthenticate/email-code/request/",
        ReauthenticationCodeRequestApi.as_view(),
        name="reauthenticate-email-code-request",
    ),
    path(
        "auth/reauthenticate/email-code/",
        ReauthenticateEmailCodeApi.as_view(),
        name="reauthenticate-email-code",
    ),
    path("auth/reauthenticate/mfa/", ReauthenticateMfaApi.as_view(), name="reauthenticate-mfa"),
    path("", include(router.urls)),
]
