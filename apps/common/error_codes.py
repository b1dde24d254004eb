"""Every error `code` the API answers, its status, and which operations answer it (docs/INTEGRATING.md).

A new code: add it to CATALOG. A new operation: the generic statuses are derived from the view
(`generic_codes`); list its domain codes by status under "METHOD path" in OPERATION_CODES. The schemathesis
test fails on a status or code the schema does not list for the operation that answered it.
"""

from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

FIELD_ERRORS = "<field errors>"  # a 400 may be the {field: [message]} shape

AUTH_CODES = (
    "token_expired",
    "token_invalid",
    "account_inactive",
    "bad_authorization_header",
    "session_revoked",
)
BODY_CODES = {400: ("parse_error",), 413: ("too_large",), 415: ("unsupported_media_type",)}

CATALOG: dict[str, str] = {
    # answered by any operation of a kind (generic_codes)
    "parse_error": "The body is not JSON, or nests deeper than 32 levels.",
    "not_authenticated": "No access token was sent.",
    "token_expired": "The access token has expired: refresh it and retry.",
    "token_invalid": "The access token is malformed, forged or no longer valid.",
    "account_inactive": "The token's account is inactive (deactivated or deleted).",
    "bad_authorization_header": "The Authorization header is not `Bearer <token>`.",
    "session_revoked": "The token's login session was signed out (logout, revocation, password change or "
    "reset, refresh-token reuse, account deletion): log in again.",
    "permission_denied": "You may not do this.",
    "not_found": "No such object (or not visible to you), or a page past the last one.",
    "too_large": "The body is larger than the server accepts (or, for a contribution, the amount is).",
    "unsupported_media_type": "The body is not application/json.",
    "throttled": "Rate limited or paused: retry after `retry_after` seconds (also the Retry-After header).",
    # domain codes
    "invalid_credentials": "Wrong email or password (or the account is not active yet).",
    "token_not_valid": "The refresh token is invalid, expired, rotated out or its session was revoked.",
    "mfa_token_invalid": "The MFA challenge is unknown, used up or expired: log in again.",
    "invalid_mfa_code": "The TOTP or recovery code is wrong.",
    "mfa_enabled": "MFA is already on.",
    "mfa_not_enabled": "MFA is not on.",
    "mfa_not_enrolling": "Start enrolment (POST auth/mfa/totp/) first.",
    "invalid_otp": "Wrong or unknown email code.",
    "otp_expired": "The email code has expired: ask for a new one.",
    "token_required": "Send the link's token.",
    "invalid_token": "The link's token is unknown, used or replaced.",
    "invalid_code": "Unknown address or wrong code.",
    "expired": "The link or code has expired: ask for a new email.",
    "replaced": "A newer email replaced this link: use the most recent one.",
    "too_many_attempts": "Too many wrong codes: ask for a new email (the link still works).",
    "wrong_password": "The current password is wrong.",
    "email_taken": "The new address belongs to another account by now.",
    "last_owner": "You are the last owner of a household that others belong to (`households` lists them).",
    "read_only": "Your role in this household is read-only.",
    "not_manager": "Only an owner or admin of the household may do this.",
    "not_owner": "Only an owner of the household may do this.",
    "not_allowed": "Your role may not assign or remove that role.",
    "already_member": "That address already belongs to a member.",
    "invite_not_found": "Unknown invitation token.",
    "invite_used": "The invitation was already used or revoked.",
    "invite_expired": "The invitation has expired.",
    "invite_email_mismatch": "The invitation was sent to another address.",
    "bill_paid": "A paid bill cannot be changed.",
    "already_paid": "This occurrence is already paid.",
    "occurrence_mismatch": "The due date is not the bill's current occurrence.",
    "occurrence_paid": "That occurrence (due date) of the bill is already paid.",
    "report_not_ready": "The report has not succeeded (yet).",
    "reauthentication_required": "This session must prove its identity again first (`methods` lists how).",
    "session_ended": "This login session was revoked or has ended: log in again.",
    "deletion_retry": "The account could not be deleted this time: send the same request again.",
    "inviter_not_allowed": "Whoever sent this invitation may no longer invite with that role.",
    "email_change_void": "The change was voided (password change or reset, a session revocation, MFA on "
    "or off, or a cancel): ask again.",
    "email_change_other_session": "A code must come from the live session that asked for the change.",
    "email_change_applied": "Both addresses confirmed the change already; nothing was done.",
}

# Domain codes per operation ("METHOD path" as in /api/schema/), by status. Generic codes are not repeated.
OPERATION_CODES: dict[str, dict[int, tuple[str, ...]]] = {
    "POST /api/v1/auth/login/": {401: ("invalid_credentials",)},
    "POST /api/v1/auth/token/refresh/": {401: ("token_not_valid",)},
    "POST /api/v1/auth/logout/": {401: ("token_not_valid",)},
    "DELETE /api/v1/auth/me/": {
        400: ("invalid_mfa_code", "mfa_not_enabled", "wrong_password"),
        403: ("reauthentication_required",),
        409: ("last_owner", "deletion_retry"),
    },
    "POST /api/v1/auth/mfa/verify/": {400: ("invalid_mfa_code",), 401: ("mfa_token_invalid",)},
    "POST /api/v1/auth/mfa/totp/": {403: ("reauthentication_required",), 409: ("mfa_enabled",)},
    "POST /api/v1/auth/mfa/totp/confirm/": {
        400: ("invalid_mfa_code", "mfa_not_enrolling"),
        403: ("reauthentication_required",),
        409: ("mfa_enabled",),
    },
    "POST /api/v1/auth/mfa/recovery-codes/": {403: ("reauthentication_required",), 409: ("mfa_not_enabled",)},
    "POST /api/v1/auth/sessions/revoke-others/": {403: ("reauthentication_required",)},
    "POST /api/v1/auth/reauthenticate/password/": {400: ("wrong_password",), 401: ("session_ended",)},
    "POST /api/v1/auth/reauthenticate/email-code/request/": {401: ("session_ended",)},
    "POST /api/v1/auth/reauthenticate/email-code/": {
        400: ("invalid_code", "expired", "too_many_attempts"),
        401: ("session_ended",),
    },
    "POST /api/v1/auth/reauthenticate/mfa/": {
        400: ("invalid_mfa_code", "mfa_not_enabled"),
        401: ("session_ended",),
    },
    "POST /api/v1/auth/mfa/totp/disable/": {400: ("invalid_mfa_code",), 409: ("mfa_not_enabled",)},
    "POST /api/v1/auth/otp/verify/": {400: ("invalid_otp", "otp_expired")},
    "GET /api/v1/auth/verify-email/": {400: ("token_required", "invalid_token", "expired", "replaced")},
    "POST /api/v1/auth/verify-email/": {
        400: ("token_required", "invalid_token", "invalid_code", "expired", "replaced", "too_many_attempts")
    },
    "POST /api/v1/auth/password/change/": {400: ("wrong_password",)},
    "POST /api/v1/auth/password/reset/confirm/": {
        400: ("invalid_token", "invalid_code", "expired", "too_many_attempts")
    },
    "POST /api/v1/auth/email/change/": {
        400: ("wrong_password",),
        403: ("reauthentication_required",),
        409: ("email_taken",),
    },
    "POST /api/v1/auth/email/change/confirm/": {
        400: ("invalid_token", "invalid_code", "expired", "too_many_attempts", "email_change_void"),
        403: ("email_change_other_session",),
        409: ("email_taken",),
    },
    "POST /api/v1/auth/email/change/cancel/": {
        400: ("invalid_token", "expired"),
        409: ("email_change_applied",),
    },
    "PATCH /api/v1/households/{household_id}/": {403: ("not_manager",)},
    "DELETE /api/v1/households/{household_id}/": {403: ("not_owner",)},
    "POST /api/v1/households/{household_id}/leave/": {409: ("last_owner",)},
    "GET /api/v1/households/{household_id}/invites/": {403: ("not_manager",)},
    "POST /api/v1/households/{household_id}/invites/": {
        403: ("not_allowed", "not_manager"),
        409: ("already_member",),
    },
    "DELETE /api/v1/households/{household_id}/invites/{invite_id}/": {403: ("not_allowed", "not_manager")},
    "PATCH /api/v1/households/{household_id}/members/{user_id}/": {
        403: ("not_allowed", "not_manager"),
        409: ("last_owner",),
    },
    "DELETE /api/v1/households/{household_id}/members/{user_id}/": {
        403: ("not_allowed", "not_manager"),
        409: ("last_owner",),
    },
    "POST /api/v1/invites/accept/": {
        403: ("invite_email_mismatch", "inviter_not_allowed"),
        404: ("invite_not_found",),
        409: ("invite_used", "already_member"),
        410: ("invite_expired",),
    },
    "POST /api/v1/bills/": {403: ("read_only",)},
    "PATCH /api/v1/bills/{bill_id}/": {403: ("read_only",), 409: ("bill_paid", "occurrence_paid")},
    "DELETE /api/v1/bills/{bill_id}/": {403: ("read_only",)},
    "POST /api/v1/bills/{bill_id}/pay/": {
        403: ("read_only",),
        409: ("already_paid", "occurrence_mismatch", "occurrence_paid"),
    },
    "POST /api/v1/goals/": {403: ("read_only",)},
    "PATCH /api/v1/goals/{goal_id}/": {403: ("read_only",)},
    "DELETE /api/v1/goals/{goal_id}/": {403: ("read_only",)},
    "POST /api/v1/goals/{goal_id}/contributions/": {403: ("read_only",), 409: ("too_large",)},
    "GET /api/v1/reports/{report_id}/download/": {409: ("report_not_ready",)},
}


# Operations whose body is read by hand and refused only with {error, code}: no field-error 400.
NO_FIELD_ERRORS = {"POST /api/v1/auth/verify-email/"}


def operation_codes(method: str, path: str) -> dict[int, tuple[str, ...]]:
    codes = OPERATION_CODES.get(f"{method} {path}", {})
    for listed in codes.values():
        for code in listed:
            if code not in CATALOG:
                raise KeyError(f"error code {code!r} is not in apps.common.error_codes.CATALOG")
    return codes


def _requires_auth(view) -> bool:
    return not any(issubclass(permission, AllowAny) for permission in view.permission_classes)


def _throttled(view) -> bool:
    return bool(view.throttle_classes) or type(view).get_throttles is not APIView.get_throttles


def generic_codes(schema) -> dict[int, set[str]]:
    """The statuses and codes this operation answers because of what it is (`schema` is its AutoSchema)."""
    view, method = schema.view, schema.method
    codes: dict[int, set[str]] = {}
    if view.authentication_classes:
        codes[401] = set(AUTH_CODES)
        if _requires_auth(view):
            codes[401].add("not_authenticated")
    parameters = {
        p["name"] for p in schema._get_parameters() if isinstance(p, dict) and p.get("in") == "query"
    }
    if "{" in schema.path or "page" in parameters:
        codes.setdefault(404, set()).add("not_found")
    if schema.request_fields() is not None:
        for status, body_codes in BODY_CODES.items():
            codes.setdefault(status, set()).update(body_codes)
        if f"{method} {schema.path}" not in NO_FIELD_ERRORS:
            codes[400].add(FIELD_ERRORS)
    if parameters - {"page", "page_size", "token"} and method == "GET":
        codes.setdefault(400, set()).add(FIELD_ERRORS)
    if _throttled(view):
        codes.setdefault(429, set()).add("throttled")
    return codes


def error_schema(codes: list[str]) -> dict:
    return {
        "type": "object",
        "description": "A request-level error: one sentence and one code.",
        "properties": {
            "error": {"type": "string", "description": "A sentence to show or log."},
            "code": {"type": "string", "enum": codes} if codes else {"type": "string"},
            "retry_after": {"type": "integer", "description": "Seconds to wait (429 only)."},
            "methods": {
                "type": "array",
                "items": {"type": "string"},
                "description": "With reauthentication_required: the ways this account can reauthenticate.",
            },
        },
        "required": ["error", "code"],
    }


def field_errors_schema(fields: dict[str, bool] | None) -> dict:
    """`fields`: request field name -> whether its errors can nest (a nested serializer, a list)."""
    messages = {"type": "array", "items": {"type": "string"}}
    nested = {"description": "Messages, or nested errors for a nested or list field."}
    schema = {
        "type": "object",
        "description": "Field errors: messages per request field; `non_field_errors` for the whole body.",
    }
    if not fields:
        return {**schema, "additionalProperties": messages}
    properties = {name: nested if nests else messages for name, nests in fields.items()}
    properties["non_field_errors"] = messages
    # Other keys: fields this write does not accept (strict writes, code not_writable).
    return {**schema, "properties": properties, "additionalProperties": messages, "minProperties": 1}


PROBLEM_SCHEMA_REF = {"$ref": "#/components/schemas/Problem"}


def response_for(
    status: int, codes: list[str], *, field_errors: dict | None, description: str | None
) -> dict:
    codes = [code for code in codes if code != FIELD_ERRORS]
    body = error_schema(codes) if codes or field_errors is None else None
    if field_errors is not None:
        body = {"oneOf": [field_errors, body]} if body else field_errors
    listed = "; ".join(f"`{code}`: {CATALOG[code]}" for code in codes)
    text = description or ("Field errors, or an error with one of these codes." if field_errors else "Error.")
    if listed:
        text = f"{text}\n\nCodes: {listed}"
    response = {
        "description": text,
        "content": {
            "application/json": {"schema": body},
            "application/problem+json": {"schema": PROBLEM_SCHEMA_REF},
        },
    }
    if status == 429:
        response["headers"] = {
            "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait before retrying."}
        }
    return response
