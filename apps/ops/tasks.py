from celery import shared_task

from apps.ops.services import expired_auth_records_purge, expired_tokens_flush


@shared_task(ignore_result=True)
def flush_expired_tokens() -> int:
    return expired_tokens_flush()


@shared_task(ignore_result=True)
def purge_expired_auth_records() -> dict[str, int]:
    return expired_auth_records_purge()
