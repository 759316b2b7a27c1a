"""Before the course: the participant's learning goals and the topic of their own policy brief, in their words.

Both are kept through the store (records ``goal/main`` and ``brief_topic/main``); an earlier wording is kept
in ``history`` when it is changed, so nothing the participant wrote is lost.

>>> import tempfile, os
>>> from evidencekit.store import Store
>>> me = Store(os.path.join(tempfile.mkdtemp(), "ek.db"), outbox=os.path.join(tempfile.mkdtemp(), "ob.db")).participant("ana")
>>> save_goals(me, "Read youth figures critically")
>>> save_goals(me, "Read youth figures critically and brief my minister")
>>> goals(me), goals_history(me)
('Read youth figures critically and brief my minister', ['Read youth figures critically'])
"""
from __future__ import annotations

from evidencekit.journey.errors import JourneyError
from evidencekit.journey.text import clean_text

MAX_GOALS = 4000
MAX_TOPIC = 300


def _save(me, kind: str, text: str, limit: int, what: str) -> None:
    value = clean_text(text, limit=limit, what=what)
    if not value:
        raise JourneyError(f"Saving your {what}", "the text is empty", f"write your {what} in a sentence or two")
    old = next((r["payload"] for r in me.records(kind) if r["key"] == "main"), None)
    history = list(old.get("history", [])) if old else []
    if old and old.get("text") and old["text"] != value:
        history.append(old["text"])
    me.put_record(kind, "main", {"text": value, "history": history})


def save_goals(me, text: str) -> None:
    """Keep the participant's learning goals (free text, up to 4,000 characters)."""
    _save(me, "goal", text, MAX_GOALS, "learning goals")


def goals(me) -> str | None:
    """The learning goals as last written, or None."""
    return next((r["payload"].get("text") for r in me.records("goal") if r["key"] == "main"), None)


def goals_history(me) -> list[str]:
    """Earlier wordings of the learning goals, oldest first."""
    return next((list(r["payload"].get("history", [])) for r in me.records("goal") if r["key"] == "main"), [])


def save_brief_topic(me, topic: str) -> None:
    """Keep the topic of the participant's own policy brief (module 6), up to 300 characters."""
    _save(me, "brief_topic", topic, MAX_TOPIC, "brief topic")


def brief_topic(me) -> str | None:
    return next((r["payload"].get("text") for r in me.records("brief_topic") if r["key"] == "main"), None)
