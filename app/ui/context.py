"""Who is working and with what: the participant, the course, the data settings.

Nothing about a participant is kept in a module global or in the URL. The participant's id comes from
:func:`participant_id` — on a local install, the one person at this machine; a hosted class (PostgreSQL,
signed-in participants) replaces only that function. Their progress, answers and evidence board are read
and written through :mod:`evidencekit.store` on every run, so a reload or a restart loses nothing.
"""
from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

LOCAL_PARTICIPANT = "local"
SETTINGS = ("EVIDENCEKIT_OFFLINE", "EVIDENCEKIT_ILOSTAT_URL", "EVIDENCEKIT_CACHE_DIR", "EVIDENCEKIT_EXERCISES",
            "EVIDENCEKIT_DATABASE_URL")


def participant_id() -> str:
    """The participant this session works for. Local install: one participant per machine (their work is in
    the local store). The hosted mode of a later version returns the signed-in user's id here instead."""
    return LOCAL_PARTICIPANT


def participant():
    """The participant's :class:`evidencekit.store.ParticipantStore` (every read and write scoped to them)."""
    from evidencekit.store import open_store

    return open_store().participant(participant_id())


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


def _stamp(folder: Path) -> str:
    """The course folder's files and their modification times: a change reloads the course."""
    try:
        return ";".join(f"{p.name}:{p.stat().st_mtime_ns}" for p in sorted(folder.glob("*.y*ml")))
    except OSError:
        return ""


@st.cache_resource(show_spinner=False, max_entries=4)
def _course(folder: str, stamp: str):
    from evidencekit.course import load_course

    return load_course(folder)


def course():
    """The validated course (:func:`evidencekit.course.load_course`), loaded once per change of its files.
    Shared read-only by every session: the course is the same for everyone."""
    from evidencekit.course import default_folder

    folder = default_folder()
    return _course(str(folder), _stamp(folder))


def course_stamp() -> str:
    from evidencekit.course import default_folder

    return _stamp(default_folder())
