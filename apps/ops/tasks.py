from celery import shared_task

from apps.ops.services import expired_tokens_flush


@shared_task(ignore_result=True)
def flush_expired_tokens() -> int:
    return expired_tokens_flush()
