"""A task routed to one queue lands in that queue only (on the real Redis broker)."""

import pytest

from config.celery import app

pytestmark = pytest.mark.requires_services


@pytest.fixture
def broker(settings):
    from conftest import require_service

    require_service("Redis (Celery broker)", settings.CELERY_BROKER_URL)
    names = [queue.name for queue in settings.CELERY_TASK_QUEUES]
    with app.connection_for_write() as conn:
        channel = conn.default_channel
        for queue in app.amqp.queues.values():  # declared and bound exactly as a worker does
            queue(channel).declare()
            channel.queue_purge(queue.name)
        yield channel, names
        for name in names:
            channel.queue_purge(name)


def depths(channel, names):
    return {name: channel.client.llen(name) for name in names}  # Redis keeps each queue in a list


def test_email_task_is_published_to_the_emails_queue_only(broker, settings):
    channel, names = broker
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    try:
        app.send_task("apps.emails.tasks.deliver_email", args=[0])
    finally:
        app.conf.task_always_eager = True
    counts = depths(channel, names)
    assert counts.pop("emails") == 1
    assert set(counts.values()) == {0}
