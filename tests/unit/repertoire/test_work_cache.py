"""The GetWork cache never serves a state older than the last committed change."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from nordclear.gen.repertoire.v1 import work_pb2
from nordclear.platform.domain.societies import STIM
from nordclear.repertoire.adapters.views import WorkCache
from nordclear.repertoire.domain.events import RecordingChanged, WorkChanged
from nordclear.repertoire.domain.work import Recording, Work

pytestmark = pytest.mark.unit


def _changed(work_id: str) -> WorkChanged:
    work = Work(
        work_id=work_id, title="Visa", submitting_society=STIM, parties=(), updated_at=datetime.now(UTC)
    )
    return WorkChanged(work=work, previous_revision=1, request_id="r")


def test_a_cached_work_is_returned_as_a_copy() -> None:
    cache = WorkCache(10)
    cache.put("W1", work_pb2.Work(work_id="W1", title="Visa"), cache.epoch)
    first = cache.get("W1")
    assert first is not None
    first.title = "changed by a caller"
    again = cache.get("W1")
    assert again is not None
    assert again.title == "Visa"


def test_a_committed_change_drops_the_entry() -> None:
    cache = WorkCache(10)
    cache.put("W1", work_pb2.Work(work_id="W1"), cache.epoch)
    cache.apply([_changed("W1")])
    assert cache.get("W1") is None


def test_a_read_that_began_before_a_change_is_not_cached() -> None:
    cache = WorkCache(10)
    read_started = cache.epoch
    cache.apply([_changed("W1")])  # Committed while the read was under way.
    cache.put("W1", work_pb2.Work(work_id="W1", title="old"), read_started)
    assert cache.get("W1") is None


def test_a_recording_change_drops_every_linked_work() -> None:
    cache = WorkCache(10)
    for work_id in ("W1", "W2", "W3"):
        cache.put(work_id, work_pb2.Work(work_id=work_id), cache.epoch)
    cache.apply([RecordingChanged(Recording(recording_id="R", title="t", work_ids=("W1", "W2")), "r")])
    assert [cache.get(w) is None for w in ("W1", "W2", "W3")] == [True, True, False]


def test_the_least_recently_used_entry_goes_first_and_zero_disables() -> None:
    cache = WorkCache(2)
    for work_id in ("W1", "W2"):
        cache.put(work_id, work_pb2.Work(work_id=work_id), cache.epoch)
    cache.get("W1")
    cache.put("W3", work_pb2.Work(work_id="W3"), cache.epoch)
    disabled = WorkCache(0)
    disabled.put("W1", work_pb2.Work(work_id="W1"), disabled.epoch)
    assert [cache.get(w) is not None for w in ("W1", "W2", "W3")] == [True, False, True]
    assert disabled.get("W1") is None
