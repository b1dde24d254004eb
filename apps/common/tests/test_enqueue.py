"""enqueue_on_commit: messages go out after commit, never after a rollback, and a broker outage never reaches
the caller: what was not published is handed to `on_failure` (or left to the sweeper)."""

import pytest
from django.db import transaction

from apps.common.enqueue import enqueue_on_commit, publish


class RecordingTask:
    """Stands in for a Celery task: records what it was asked to publish."""

    name = "tests.recording"

    def __init__(self):
        self.published: list[tuple] = []

    def apply_async(self, args, **options):
        self.published.append(args)


@pytest.mark.django_db(transaction=True)
def test_messages_are_published_once_the_transaction_commits():
    task = RecordingTask()
    with transaction.atomic():
        enqueue_on_commit(task, (1,), (2,))
        assert task.published == []
    assert task.published == [(1,), (2,)]


@pytest.mark.django_db(transaction=True)
def test_nothing_is_published_when_the_transaction_rolls_back():
    task = RecordingTask()

    def failing_write():
        with transaction.atomic():
            enqueue_on_commit(task, (1,))
            raise RuntimeError("the write failed")

    with pytest.raises(RuntimeError):
        failing_write()
    assert task.published == []


def test_the_messages_a_dead_broker_refused_go_to_on_failure(broker_down, caplog):
    left_over = []
    assert publish("apps.emails.tasks.deliver_email", [(1,), (2,), (3,)], on_failure=left_over.extend) == 0
    assert left_over == [(1,), (2,), (3,)]
    assert [r.getMessage() for r in caplog.records if "Broker unreachable" in r.getMessage()] == [
        "Broker unreachable; 3 apps.emails.tasks.deliver_email message(s) left over"
    ]


def test_a_misspelt_task_fails_at_the_call_not_after_commit(db):
    with pytest.raises(ImportError):
        enqueue_on_commit("apps.emails.tasks.deliver_emial", (1,))
