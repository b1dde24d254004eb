from django.conf import settings
from django.db import models


class AuditAction(models.TextChoices):
    CREATE = "CREATE", "Create"
    UPDATE = "UPDATE", "Update"
    DELETE = "DELETE", "Delete"
    LOGIN = "LOGIN", "Login"
    LOGIN_FAILED = "LOGIN_FAILED", "Login failed"
    LOGOUT = "LOGOUT", "Logout"
    TOKEN_REFRESH = "TOKEN_REFRESH", "Token refreshed"
    TOKEN_REUSE = "TOKEN_REUSE", "Refresh token reuse detected"
    REGISTRATION_DUPLICATE = "REGISTRATION_DUPLICATE", "Registration with an existing email"
    EMAIL_VERIFIED = "EMAIL_VERIFIED", "Email verified"
    EMAIL_VERIFICATION_FAILED = "EMAIL_VERIFICATION_FAILED", "Email verification failed"
    VERIFICATION_RESENT = "VERIFICATION_RESENT", "Verification resent"
    OTP_REQUESTED = "OTP_REQUESTED", "OTP requested"
    OTP_LOGIN = "OTP_LOGIN", "OTP login"
    OTP_LOGIN_FAILED = "OTP_LOGIN_FAILED", "OTP login failed"
    OTP_KILLED = "OTP_KILLED", "OTP code killed by attempts"
    OTP_PAUSED = "OTP_PAUSED", "OTP login paused by failure budget"
    MFA_ENROLLED = "MFA_ENROLLED", "MFA enrolled"
    MFA_DISABLED = "MFA_DISABLED", "MFA disabled"
    MFA_PASSED = "MFA_PASSED", "MFA challenge passed"
    MFA_FAILED = "MFA_FAILED", "MFA challenge failed"
    RECOVERY_CODE_USED = "RECOVERY_CODE_USED", "Recovery code used"
    RECOVERY_CODES_REGENERATED = "RECOVERY_CODES_REGENERATED", "Recovery codes regenerated"
    REAUTHENTICATED = "REAUTHENTICATED", "Reauthenticated"
    REAUTHENTICATION_FAILED = "REAUTHENTICATION_FAILED", "Reauthentication failed"
    REAUTHENTICATION_CODE_SENT = "REAUTHENTICATION_CODE_SENT", "Reauthentication code sent"
    PASSWORD_RESET_REQUESTED = "PASSWORD_RESET_REQUESTED", "Password reset requested"
    PASSWORD_RESET = "PASSWORD_RESET", "Password reset"
    PASSWORD_RESET_FAILED = "PASSWORD_RESET_FAILED", "Password reset refused"
    PASSWORD_CHANGED = "PASSWORD_CHANGED", "Password changed"
    PASSWORD_CHANGE_FAILED = "PASSWORD_CHANGE_FAILED", "Password change refused"
    EMAIL_CHANGE_REQUESTED = "EMAIL_CHANGE_REQUESTED", "Email change requested"
    EMAIL_CHANGED = "EMAIL_CHANGED", "Email changed"
    EMAIL_CHANGE_FAILED = "EMAIL_CHANGE_FAILED", "Email change refused"
    EMAIL_CHANGE_CONFIRMED = "EMAIL_CHANGE_CONFIRMED", "Email change confirmed by one address"
    EMAIL_CHANGE_CANCELLED = "EMAIL_CHANGE_CANCELLED", "Email change cancelled from the old address"
    SESSION_REVOKED = "SESSION_REVOKED", "Session revoked"
    ACCOUNT_DELETED = "ACCOUNT_DELETED", "Account deleted"
    ACCOUNT_DELETE_REFUSED = "ACCOUNT_DELETE_REFUSED", "Account deletion refused"
    MEMBER_INVITED = "MEMBER_INVITED", "Member invited to household"
    INVITE_REVOKED = "INVITE_REVOKED", "Household invitation revoked"
    INVITE_ACCEPTED = "INVITE_ACCEPTED", "Household invitation accepted"
    MEMBER_ROLE_CHANGED = "MEMBER_ROLE_CHANGED", "Household member role changed"
    MEMBER_REMOVED = "MEMBER_REMOVED", "Member removed from household"
    MEMBER_LEFT = "MEMBER_LEFT", "Member left household"
    BILL_PAID = "BILL_PAID", "Bill paid"
    GOAL_CONTRIBUTION = "GOAL_CONTRIBUTION", "Goal contribution"
    REPORT_REQUESTED = "REPORT_REQUESTED", "Report requested"


class AuditLog(models.Model):
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_logs",
    )
    action_type = models.CharField(max_length=40, choices=AuditAction.choices)
    description = models.CharField(max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    timestamp = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "audit_log"
        ordering = ["-timestamp"]
        indexes = [
            models.Index(fields=["actor", "-timestamp"], name="audit_actor_time"),
            models.Index(fields=["-timestamp"], name="audit_time"),
            models.Index(fields=["action_type", "-timestamp"], name="audit_action_time"),
        ]

    def __str__(self):
        return f"{self.timestamp:%Y-%m-%d %H:%M:%S} {self.action_type} {self.actor_id or '-'}"
