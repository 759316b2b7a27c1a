"""The follow-up plan: what the participant will change at work, with a date; brought back on that date.

Each action is a record ``followup/<id>`` with ``change`` (what will change at work), ``due`` (the date to look
back, ISO ``YYYY-MM-DD``; a year after the course by default, as the course asks) and, once the participant has
said what happened, ``outcome`` (``status``: done, partly, not yet, dropped; ``text``; ``on``). :func:`due_plans`
is pure: which actions are due on a given day and still wait for an outcome — what the app's Home page asks
about.

>>> from datetime import date
>>> plans = [{"kind": "followup", "key": "plan-a", "payload": {"change": "Cite sources in every note", "due": "2027-03-01"}},
...          {"kind": "followup", "key": "plan-b", "payload": {"change": "Use NEET", "due": "2027-09-01"}}]
>>> [p["id"] for p in due_plans(plans, date(2027, 3, 1))]
['plan-a']
"""
from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Iterable

from evidencekit.journey.errors import JourneyError
from evidencekit.journey.text import clean_text

OUTCOMES = ("done", "partly", "not-yet", "dropped")
MAX_CHANGE = 1000


def suggested_due(today: date) -> date:
    """A year after ``today`` (29 February falls back to 28 February)."""
    try:
        return today.replace(year=today.year + 1)
    except ValueError:
        return today.replace(year=today.year + 1, day=28)


def _day(value, what: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise JourneyError(f"The {what} {value!r}", "is not a date", "a date such as 2027-03-01") from None


def add_plan(me, change: str, due: date | str | None = None, *, today: date | None = None) -> str:
    """Keep one action of the follow-up plan; returns its id. ``due`` must come after ``today``."""
    today = today or date.today()
    text = clean_text(change, limit=MAX_CHANGE, what="plan")
    if not text:
        raise JourneyError("Saving your follow-up plan", "it says nothing", "write what you will change at work")
    when = _day(due, "date") if due is not None else suggested_due(today)
    if when <= today:
        raise JourneyError("Saving your follow-up plan", f"the date {when.isoformat()} is not in the future",
                           "choose a date when you can look back, e.g. in six months or a year")
    pid = f"plan-{secrets.token_hex(4)}"
    me.put_record("followup", pid, {"change": text, "due": when.isoformat(), "created_on": today.isoformat(),
                                    "outcome": None})
    return pid


def plans(records: Iterable[dict]) -> list[dict]:
    """Every action of the plan from a participant's records: ``id``, ``change``, ``due``, ``outcome``."""
    out = [{"id": r["key"], **r["payload"]} for r in records if r.get("kind", "followup") == "followup"]
    return sorted(out, key=lambda p: (p.get("due", ""), p["id"]))


def due_plans(records: Iterable[dict], today: date) -> list[dict]:
    """Actions due on or before ``today`` that still wait for the participant to say what happened."""
    return [p for p in plans(records) if not p.get("outcome") and _day(p["due"], "date") <= today]


def record_outcome(me, plan_id: str, status: str, text: str = "", *, today: date | None = None) -> None:
    """Keep what happened with one action: ``status`` (done, partly, not-yet, dropped) and the participant's words."""
    if status not in OUTCOMES:
        raise JourneyError(f"The outcome {status!r}", "is not known", "one of " + ", ".join(OUTCOMES))
    found = next((r for r in me.records("followup") if r["key"] == plan_id), None)
    if found is None:
        raise JourneyError(f"The plan {plan_id!r}", "is not one of your plans", "reload the page")
    payload = dict(found["payload"])
    payload["outcome"] = {"status": status, "text": clean_text(text or "", limit=MAX_CHANGE, what="answer"),
                          "on": (today or date.today()).isoformat()}
    me.put_record("followup", plan_id, payload)


def postpone(me, plan_id: str, due: date | str, *, today: date | None = None) -> None:
    """Move an action's date (when it is too early to say what happened)."""
    today = today or date.today()
    when = _day(due, "date")
    if when <= today:
        raise JourneyError("Postponing your plan", f"the date {when.isoformat()} is not in the future", "choose a later date")
    found = next((r for r in me.records("followup") if r["key"] == plan_id), None)
    if found is None:
        raise JourneyError(f"The plan {plan_id!r}", "is not one of your plans", "reload the page")
    me.put_record("followup", plan_id, {**found["payload"], "due": when.isoformat()})


