"""Checking a participant's answer to a review question: immediate feedback, explained.

:func:`check_answer` takes a :class:`~evidencekit.course.model.Question` and the participant's response
(an option id, a list of option ids, or a number — typed text is accepted: ``"14,1 %"``) and returns a
:class:`Feedback`. For a question whose answer is computed from data, the right answer is computed now
(:func:`evidencekit.course.answers.evaluate`) and the feedback cites where it came from.

Four outcomes (``Feedback.status``): ``correct``, ``incorrect``, ``invalid`` (the response is not an answer,
e.g. text where a number is asked: nothing is counted), ``unavailable`` (the right answer could not be computed
— e.g. the data now have two sources for that year — said plainly, never marked wrong).

>>> from evidencekit.course.model import Question, Option
>>> q = Question(1, 1, "q", "numeric", "How much?", "Because {value}.", answer={"value": 4.2}, unit="%")
>>> fb = check_answer(q, "4,2 %")
>>> fb.status, fb.explanation
('correct', 'Because 4.2.')
>>> check_answer(q, "four").status
'invalid'
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from evidencekit.course.answers import PLACEHOLDERS, Computed, Shown, compare_numbers, evaluate
from evidencekit.course.model import Question
from evidencekit.errors import EvidenceKitError


@dataclass
class Feedback:
    """The outcome of checking one response, ready to show and to save.

    ``message`` is one line (right / not right / why nothing was counted); ``explanation`` is the question's
    explanation with the computed values filled in; ``option_feedback`` the messages of the chosen options;
    ``expected`` the right answer in words (show it when ``reveal`` is true: right, or no retry allowed);
    ``citation`` where a computed answer came from; ``notes`` what the reader must know about the figures used
    (flags such as a break in series, an answer from a stale copy); ``computed`` the full :class:`Computed`
    (not saved).
    """

    question: str
    status: str
    message: str
    explanation: str = ""
    option_feedback: list[str] = field(default_factory=list)
    expected: str | None = None
    reveal: bool = False
    citation: str | None = None
    response: Any = None
    computed: Computed | None = None
    notes: list[str] = field(default_factory=list)  # flags of the figures used; a stale source said

    @property
    def correct(self) -> bool:
        return self.status == "correct"

    def to_record(self) -> dict:
        """A JSON-ready dict for the store (the computed frame is left out; its citation is kept)."""
        out = asdict(replace(self, computed=None))  # not asdict(self): it deep-copied the computed frame, then
        out.pop("computed")                         # dropped it (about 1 ms of every saved answer)
        if self.computed is not None:
            v = self.computed.value
            out["computed_value"] = v if isinstance(v, (int, float, str)) else str(v)
        return out


def parse_number(response: Any) -> float | None:
    """A typed number -> float; None when it is not one. ``"14.1"``, ``"14,1"``, ``"14.1 %"``, ``"-0.5 pp"``,
    ``"1,234.5"``. ``"1,234"`` is ambiguous (a thousand, or one and a bit) and refused.

    >>> [parse_number(x) for x in ("14.1", "14,1", " 14.1 % ", "-0.5 pp", "1,234.5", "1,234", "abc", True)]
    [14.1, 14.1, 14.1, -0.5, 1234.5, None, None, None]
    """
    if isinstance(response, bool) or response is None:
        return None
    if isinstance(response, (int, float)):
        return float(response)
    text = str(response).strip().lower()
    text = re.sub(r"\s*(%|percent|per cent|pp|p\.p\.|points?|percentage points?)$", "", text).replace(" ", "")
    text = text.replace("\u2212", "-")
    if "," in text and "." in text:
        text = text.replace(",", "")
    elif text.count(",") == 1:
        whole, dec = text.split(",")
        if len(dec) == 3:
            return None
        text = f"{whole}.{dec}"
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def _fill(template: str, computed: Computed | None, q: Question, shown: str) -> str:
    """The explanation with its placeholders filled ({value}: the right answer as shown)."""
    if computed is None:
        values = {**{k: Shown(None, "") for k in PLACEHOLDERS}, "value": Shown(None, shown),
                  "unit": Shown(None, q.unit or "")}
    else:
        values = computed.placeholders(q.unit, q.decimals)
    return template.format_map(values)


def _num(v: float, decimals: int) -> str:
    return f"{v:,.{decimals}f}"


def right_answer(q: Question, *, offline: bool | None = None, client=None) -> tuple[Any, Computed | None]:
    """The right answer of ``q``: (value, computed). For choice questions the value is the set of right option ids."""
    if q.computed:
        computed = evaluate(q.answer, offline=offline, client=client)
        if q.kind == "numeric":
            return float(computed.value), computed
        right = {o.id for o in q.options if o.value is not None and str(o.value) == str(computed.value)}
        return right, computed
    if q.kind == "numeric":
        return float(q.answer["value"]), None
    return {o.id for o in q.options if o.correct}, None


def check_answer(q: Question, response: Any, *, offline: bool | None = None, client=None,
                 computed: Computed | None = None) -> Feedback:
    """Check ``response`` to ``q`` -> :class:`Feedback`. ``computed`` may be given (an evaluation the app
    already has, e.g. cached); otherwise a data-dependent answer is computed now, from ``client`` (an
    :class:`evidencekit.ilostat.Client`) or the library's shared client, ``offline`` as for ``ilostat.get``."""
    try:
        if computed is not None and q.computed:
            expected = float(computed.value) if q.kind == "numeric" else \
                {o.id for o in q.options if o.value is not None and str(o.value) == str(computed.value)}
        else:
            expected, computed = right_answer(q, offline=offline, client=client)
    except EvidenceKitError as err:
        return Feedback(q.key, "unavailable", "The right answer could not be computed from the data just now, "
                        "so this answer is not marked. Tell your trainer.", explanation=str(err), response=response)
    citation = computed.citation if computed is not None else None
    if q.kind in ("single", "multiple") and not expected:
        shown = computed.placeholders(q.unit, q.decimals)["value"] if computed else "?"
        return Feedback(q.key, "unavailable", f"The data now give {shown}, which is not one of the options, so this "
                        "answer is not marked. Tell your trainer: the question needs updating.",
                        citation=citation, response=response, computed=computed)
    ids = {o.id for o in q.options}
    if q.kind == "numeric":
        given = parse_number(response)
        if given is None:
            return Feedback(q.key, "invalid", f"Type a number, such as {_num(12.3, q.decimals)}"
                            + (f" (in {q.unit})" if q.unit else "") + ". Nothing was counted.", response=response)
        ok = compare_numbers(given, expected, q.margin)
        plain = _num(expected, q.decimals)
        shown = plain + (f" {q.unit}" if q.unit else "")
        message = "Right." if ok else (f"Not quite: your answer {_num(given, q.decimals)} is "
                                       f"{'above' if given > expected else 'below'} the right answer.")
        option_feedback: list[str] = []
    else:
        chosen = [response] if isinstance(response, str) else list(response or []) if isinstance(response, (list, tuple, set)) else []
        chosen = [str(c) for c in chosen]
        unknown = [c for c in chosen if c not in ids]
        if not chosen or unknown or (q.kind == "single" and len(chosen) != 1):
            what = "Choose one option." if q.kind == "single" else "Choose one or more options."
            return Feedback(q.key, "invalid", what + " Nothing was counted.", response=response)
        ok = set(chosen) == set(expected)
        by_id = {o.id: o for o in q.options}
        shown = plain = "; ".join(by_id[i].text for i in sorted(expected, key=[o.id for o in q.options].index))
        if ok:
            message = "Right."
        elif q.kind == "multiple":
            missed, extra = set(expected) - set(chosen), set(chosen) - set(expected)
            parts = ([f"{len(missed)} right option{'s' if len(missed) > 1 else ''} not chosen"] if missed else []) + \
                    ([f"{len(extra)} chosen option{'s' if len(extra) > 1 else ''} not right"] if extra else [])
            message = "Not quite: " + " and ".join(parts) + "."
        else:
            message = "Not quite."
        option_feedback = [by_id[c].feedback for c in chosen if by_id[c].feedback]
    explanation = _fill(q.explanation, computed, q, plain)
    return Feedback(q.key, "correct" if ok else "incorrect", message, explanation, option_feedback,
                    expected=shown, reveal=ok or not q.allow_retry, citation=citation, response=response,
                    computed=computed, notes=notes_of(computed))


def notes_of(computed: Computed | None) -> list[str]:
    """What the feedback must say about the figures behind a computed answer: their flags, a stale source."""
    if computed is None:
        return []
    notes = [f"Flag on a figure used: {f}" for f in computed.detail.get("flags", [])]
    for src in computed.provenance.get("sources", []):
        if src.get("stale"):
            notes.append("ILOSTAT could not be reached: this answer uses a stored copy, which may not be the "
                         "latest release.")
        if src.get("synthetic"):
            notes.append("Computed from the SYNTHETIC training survey: it describes no real country.")
    return notes
