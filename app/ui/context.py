"""Who is working and with what: the participant, the course, the data settings.

Nothing about a participant is kept in a module global or in the URL. On a participant's own machine the
participant is the one person at it (:data:`LOCAL_PARTICIPANT`); in a hosted class it is whoever signed in
(:mod:`ui.auth`: the scope a sign-in returned, kept in the session). Their progress, answers and evidence
board are read and written through :mod:`evidencekit.store` on every run, so a reload or a restart loses
nothing.
"""
from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

LOCAL_PARTICIPANT = "local"
SETTINGS = ("EVIDENCEKIT_OFFLINE", "EVIDENCEKIT_ILOSTAT_URL", "EVIDENCEKIT_CACHE_DIR", "EVIDENCEKIT_EXERCISES",
            "EVIDENCEKIT_DATABASE_URL")


class NotSignedIn(Exception):
    """A page that needs a participant was opened in a hosted class without one signed in (the navigation
    shows only the sign-in page then; this is the guard behind it)."""


def participant_id() -> str:
    """The participant this session works for: ``local`` on a participant's own machine; in a hosted class
    the signed-in participant (:class:`NotSignedIn` without one)."""
    return participant().id


class Participant:
    """The participant's :class:`evidencekit.store.ParticipantStore`, read once per change.

    A page reruns on every click; reading progress, answers and the board from the database each time would
    make every click slower. Reads are kept for this session (never shared with another) until ``FRESH``
    seconds pass, so work done in another tab shows. Every write goes through here (:attr:`CHANGES`: what it
    changes of what was read): the whole rows of a read it changes are brought up to date by the store with
    the write's own rules, any other read it changes is read again.
    Results are shared with the caller: treat them as read-only. A step's choices are saved a moment later
    (:meth:`save_choices`); every other write is made at once, after any choices still waiting.
    """

    READS = ("progress", "latest_answers", "answers", "board", "work", "all_work", "records", "profile")
    AS_IS = ("status",)  # neither kept nor a write: where the work is, asked afresh each time
    FRESH = 5.0
    # what each write changes of what was read (any other write: everything is read again)
    CHANGES = {"mark": ("progress",), "save_answer": ("answers", "latest_answers"), "save_work": ("all_work",),
               "add_to_board": ("board",), "update_board_item": ("board",), "order_board": ("board",),
               "remove_from_board": ("board",),
               "put_record": ("records",), "set_name": ("profile",)}

    def __init__(self, store) -> None:
        self.store, self.id = store, store.id
        self._memo: dict = {}
        self._at = 0.0

    def __getattr__(self, name: str):
        attr = getattr(self.store, name)
        if not callable(attr) or name in self.AS_IS:
            return attr
        if name not in self.READS:  # a write (or anything else): what was read may have changed
            changes = self.CHANGES.get(name)

            def write(*args, **kwargs):
                try:
                    out = LATER.before(self.store, attr, *args, **kwargs)
                except BaseException:
                    self._after_write(changes, refused=True)
                    raise
                self._after_write(changes)
                return out
            return write

        def read(*args, **kwargs):
            import time

            if name == "records" and (args or kwargs):  # one kind of record: taken from the whole read, which
                kind = args[0] if args else kwargs["kind"]  # a write keeps current (a brief saved reads nothing)
                return [r for r in read() if r["kind"] == kind] if kind is not None else read()
            if name == "work":  # one step's: its choices still waiting, or taken from the whole read of every
                waiting = LATER.peek(self.store, *args, **kwargs)  # step's work, which a saved step keeps
                if waiting is not _MISSING:                        # current
                    return waiting
                from evidencekit.store import step_work

                return step_work(self.all_work(), *args, **kwargs)
            now = time.monotonic()
            if now - self._at > self.FRESH:
                self._memo.clear()
                self._at = now
            key = (name, args, tuple(sorted(kwargs.items())))
            if key not in self._memo:
                rows = attr(*args, **kwargs)
                if name == "all_work":  # with the choices still waiting to be written (read after they are)
                    from evidencekit.store import with_step_work

                    for (module, item), work in LATER.held(self.store).items():
                        rows = with_step_work(rows, module, item, work)
                self._memo[key] = rows
            return self._memo[key]
        return read

    def _after_write(self, changes: tuple | None, refused: bool = False) -> None:
        """What was read and a write changed: the rows of a whole read brought up to date by the write's own
        rules (:meth:`evidencekit.store.ParticipantStore.kept_current`: answering a question or moving a board
        item reads nothing again), anything else dropped (read again when asked); an unknown write, or one
        refused (the work may have changed elsewhere), drops all it may change."""
        for key in [k for k in self._memo if changes is None or k[0] in changes]:
            whole = key[1:] == ((), ()) and key[0] in self.store.CURRENT and changes is not None and not refused
            rows = self.store.kept_current(key[0], self._memo[key]) if whole else None
            if rows is None:
                del self._memo[key]
            else:
                self._memo[key] = rows

    def save_choices(self, module: int, item: str, work: dict) -> None:
        """Save a step's work when only its choices changed (countries, sex, years…): at once for this
        session's reads, in the store a moment later (:data:`LATER`), so that a click on a choice waits for no
        database write."""
        LATER.put(self.store, module, item, work)
        from evidencekit.store import with_step_work

        key = ("all_work", (), ())
        if key in self._memo:
            self._memo[key] = with_step_work(self._memo[key], module, item, work)


_MISSING = object()


class _Later:
    """Choices waiting to be written: the newest work of each step, per participant, written to the store by
    one thread ``DELAY`` seconds after its first unsaved change (a burst of clicks is one write), or at once
    before any other write of that participant, or when the app stops (``atexit``). Reads in this process see a
    waiting value (:meth:`peek`). Only a killed process (SIGKILL, power cut) can lose the last ``DELAY`` seconds
    of choices; answers, marks, the board and the brief are written at once, as before.

    >>> later = _Later()
    >>> later.peek(object(), 1, "s1") is _MISSING
    True
    """

    DELAY = 1.0

    def __init__(self) -> None:
        import threading

        self._lock = threading.Lock()     # the waiting dict
        self.io = threading.RLock()       # one write at a time: a waiting choice never lands after a later write
        self._wake = threading.Event()
        self._waiting: dict[tuple, tuple] = {}  # (store, participant, module, step) -> (ParticipantStore, work, since)
        self._thread = None

    @staticmethod
    def _who(pstore) -> tuple:
        return (id(getattr(pstore, "store", pstore)), getattr(pstore, "id", None))

    def put(self, pstore, module: int, item: str, work: dict) -> None:
        import atexit
        import threading
        import time

        key = (*self._who(pstore), module, item)
        with self._lock:
            since = self._waiting[key][2] if key in self._waiting else time.monotonic()
            self._waiting[key] = (pstore, work, since)
            if self._thread is None or not self._thread.is_alive():
                if self._thread is None:
                    atexit.register(self.flush)
                self._thread = threading.Thread(target=self._run, name="evidencekit-choices", daemon=True)
                self._thread.start()
        self._wake.set()

    def held(self, pstore) -> dict:
        """The choices of ``pstore``'s participant still waiting, by (module, step)."""
        who = self._who(pstore)
        with self._lock:
            return {k[2:]: v[1] for k, v in self._waiting.items() if k[:2] == who}

    def peek(self, pstore, module: int, item: str):
        with self._lock:
            held = self._waiting.get((*self._who(pstore), module, item))
        return _MISSING if held is None else held[1]

    def waiting(self, pstore=None) -> int:
        who = None if pstore is None else self._who(pstore)
        with self._lock:
            return sum(1 for k in self._waiting if who is None or k[:2] == who)

    def flush(self, pstore=None, *, due: float | None = None) -> int:
        """Write what waits now (only ``pstore``'s participant's when given; only what waits since ``due`` or
        before when given); returns how many were written."""
        who = None if pstore is None else self._who(pstore)
        done = 0
        with self.io:
            with self._lock:
                todo = [(k, v) for k, v in self._waiting.items()
                        if (who is None or k[:2] == who) and (due is None or v[2] <= due)]
            for key, held in todo:
                try:
                    held[0].save_work(key[2], key[3], held[1])
                    done += 1
                except Exception:  # noqa: BLE001 — logged; the store keeps what it could not send in its outbox
                    import logging

                    logging.getLogger("evidencekit.app").exception("A step's choices could not be saved")
                with self._lock:
                    if self._waiting.get(key) is held:
                        del self._waiting[key]
        return done

    def before(self, pstore, write, *args, **kwargs):
        """Run ``write`` (a write of ``pstore``'s participant) after their waiting choices are written."""
        if not self.waiting(pstore):
            return write(*args, **kwargs)
        with self.io:
            self.flush(pstore)
            return write(*args, **kwargs)

    def _run(self) -> None:
        import time

        while True:
            self._wake.wait()
            self._wake.clear()
            while True:
                with self._lock:
                    if not self._waiting:
                        break
                    first = min(v[2] for v in self._waiting.values())
                wait = first + self.DELAY - time.monotonic()
                if wait > 0:
                    time.sleep(min(wait, 0.5))
                else:
                    self.flush(due=time.monotonic() - self.DELAY)


LATER = _Later()


def participant() -> Participant:
    """The participant's store (every read and write scoped to them), kept in this session: on this machine
    the local participant's; in a hosted class only the scope a sign-in gave (:func:`ui.auth.signed_in`)."""
    from ui import auth

    store = auth.store()
    held = st.session_state.get("ek_participant")
    if store.hosted:
        scope = auth.signed_in()
        if scope is None:
            raise NotSignedIn("sign in first")
        if not (isinstance(held, tuple) and len(held) == 2 and isinstance(held[1], Participant)
                and held[1].store is scope):
            held = (("hosted", scope.id), Participant(scope))
            st.session_state["ek_participant"] = held
        return held[1]
    key = (os.environ.get("EVIDENCEKIT_DATABASE_URL", ""), LOCAL_PARTICIPANT)
    if not (isinstance(held, tuple) and len(held) == 2 and held[0] == key and isinstance(held[1], Participant)
            and held[1].store.store is store):
        held = (key, Participant(store.participant(LOCAL_PARTICIPANT)))
        st.session_state["ek_participant"] = held
    return held[1]


def signed_in() -> bool:
    """True when this session has a participant: always on one's own machine; in a hosted class after
    signing in."""
    from ui import auth

    return not auth.hosted() or auth.signed_in() is not None


def today():
    """Today's date on the server (when a follow-up plan falls due)."""
    from datetime import date

    return date.today()


def settings() -> tuple[str, ...]:
    """The environment settings that change what the library returns: part of every data cache key, so that
    switching offline, the ILOSTAT address or the course folder never serves figures made under other ones."""
    return tuple(os.environ.get(k, "") for k in SETTINGS)


def offline() -> bool:
    """True when the app never touches the network (``evidencekit app --offline`` or EVIDENCEKIT_OFFLINE=1)."""
    from evidencekit.ilostat import Settings

    try:
        return Settings.resolve().offline
    except Exception:  # a bad ILOSTAT address is reported where data are read, not here
        return False


_STAMPS: dict[str, tuple[float, str]] = {}  # folder -> (when looked, stamp): file times, not anyone's data


def _stamp(folder: Path) -> str:
    """The course folder's files and their modification times (looked at most once a second): a change
    reloads the course."""
    import time

    now = time.monotonic()
    seen = _STAMPS.get(str(folder))
    if seen and now - seen[0] < 1.0:
        return seen[1]
    try:
        stamp = ";".join(f"{p.name}:{p.stat().st_mtime_ns}" for p in sorted(folder.glob("*.y*ml")))
    except OSError:
        stamp = ""
    _STAMPS[str(folder)] = (now, stamp)
    return stamp


_COURSES: dict[str, tuple[str, object]] = {}  # folder -> (stamp, course): the course files, the same for all


_FOLDERS: dict[str, Path] = {}  # EVIDENCEKIT_EXERCISES -> the course folder it gives


def course_folder() -> Path:
    """The course folder (:func:`evidencekit.course.default_folder`), looked up once per value of
    ``EVIDENCEKIT_EXERCISES``."""
    from evidencekit.course import default_folder

    env = os.environ.get("EVIDENCEKIT_EXERCISES", "")
    if env not in _FOLDERS:
        _FOLDERS[env] = default_folder()
    return _FOLDERS[env]


def course():
    """The validated course (:func:`evidencekit.course.load_course`), loaded once per change of its files.
    Shared read-only by every session: the course is the same for everyone."""
    from evidencekit.course import load_course

    folder = course_folder()
    stamp = _stamp(folder)
    held = _COURSES.get(str(folder))
    if held is None or held[0] != stamp:
        held = (stamp, load_course(folder))
        _COURSES[str(folder)] = held
    return held[1]


def course_stamp() -> str:
    return _stamp(course_folder())


_JOURNEY: dict[str, tuple[str, object]] = {}  # "assessment"/"feedback" -> (stamp, content): the same for all


def _journey(kind: str):
    from evidencekit import journey

    folder = journey.journey_folder()
    stamp = _stamp(folder)
    held = _JOURNEY.get(f"{folder}:{kind}")
    if held is None or held[0] != stamp:
        held = (stamp, journey.load_assessment() if kind == "assessment" else journey.load_feedback_form())
        _JOURNEY[f"{folder}:{kind}"] = held
    return held[1]


def assessment():
    """The pre- and post-course assessment (``exercises/journey/assessment.yaml``), loaded once per change."""
    return _journey("assessment")


def feedback_form():
    """The course feedback form (``exercises/journey/feedback.yaml``), loaded once per change."""
    return _journey("feedback")
