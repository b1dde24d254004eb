from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken


def expired_tokens_flush() -> int:
    """Delete refresh-token records past their expiry; their blacklist rows go with them (cascade).

    An expired refresh token is refused on its own `exp` claim, so its record protects nothing any more.
    """
    deleted, _ = OutstandingToken.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted
