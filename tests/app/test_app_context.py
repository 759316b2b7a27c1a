"""The session's view of the participant's work (``ui.context.Participant``): every step's work read once, kept
current by the session's own writes, with the choices still waiting to be written in it."""
from __future__ import annotations

import pytest

from evidencekit.store import Store


@pytest.fixture
def session(tmp_path, monkeypatch):
    """A participant with one step's work saved, the session's view of them, and the number of database reads
    of their steps' work made since."""
    from ui import context

    monkeypatch.setattr(context.LATER, "DELAY", 60.0)  # a choice waits until the next write (or a flush)
    store = Store(tmp_path / "w.db", hosted=False)
    me = store.participant("ana")
    me.save_work(1, "a", {"note": "one"})
    reads = []
    rows = Store._rows

    def counted(self, pid, kind):
        reads.append(kind)
        return rows(self, pid, kind)

    monkeypatch.setattr(Store, "_rows", counted)
    yield context.Participant(me), me, lambda: reads.count("work")
    context.LATER.flush()


def test_every_steps_work_is_read_once_and_a_saved_step_is_not_read_again(session):
    view, me, reads = session
    assert view.work(1, "a") == {"note": "one"} and view.work(2, "b") is None
    assert reads() == 1
    view.save_choices(2, "b", {"choices": {"year": 2021}})   # waits
    assert view.work(2, "b") == {"choices": {"year": 2021}}
    view.save_work(1, "a", {"note": "two", "areas": ("PHL",)})  # writes the waiting choice first, then this
    assert reads() == 1
    assert view.work(1, "a") == {"note": "two", "areas": ["PHL"]}  # as the database gives it back
    assert view.work(2, "b") == {"choices": {"year": 2021}}
    assert reads() == 1
    assert [view.work(1, "a"), view.work(2, "b")] == [me.work(1, "a"), me.work(2, "b")]


def test_a_choice_waiting_when_the_work_is_read_again_is_still_shown_once_it_is_written(session, monkeypatch):
    from ui import context

    view, me, reads = session
    view.save_choices(2, "b", {"choices": {"year": 2019}})
    monkeypatch.setattr(context.Participant, "FRESH", -1.0)  # the next read is made afresh, the choice waiting
    assert view.work(1, "a") == {"note": "one"}
    monkeypatch.setattr(context.Participant, "FRESH", 60.0)
    assert context.LATER.flush() == 1
    assert view.work(2, "b") == {"choices": {"year": 2019}}
    assert reads() == 1
    assert me.work(2, "b") == {"choices": {"year": 2019}}


def test_a_refused_write_drops_what_was_read(session):
    from evidencekit.store import StoreError

    view, me, reads = session
    view.work(1, "a")
    with pytest.raises(StoreError):
        view.save_work(1, "a", "not a dict")
    assert view.work(1, "a") == {"note": "one"} and reads() == 2
