"""The trainer's class view: anonymised aggregates of the class's journey, as frames ready for charts and CSV.

- **gains**: per competence, the mean pre- and post-course score (%) of the participants who took both
  assessments, and the mean gain (percentage points);
- **completion**: per module, how many participants have completed it;
- **feedback**: per rating item, how many answered and the mean rating (1 to the scale's length);
- **comments**: per text item, the comments, sorted (not in the order given), without names.

Nothing here names a participant: the store hands over the records without ids, in random order
(:class:`evidencekit.store.ClassView`). Small counts are suppressed so that no one can be recognised: a group of
fewer than ``min_count`` participants (3 by default) shows no figure (``shown`` is False and the value empty,
said in ``note``), and comments are shown only when at least ``min_count`` participants gave feedback. Every
frame carries its provenance; :func:`export_report` writes them to CSV with :func:`evidencekit.export.write`
(reference: ``docs/journey.md``).

>>> import tempfile, os
>>> from evidencekit.store import Store
>>> from evidencekit.course import load_course
>>> from evidencekit.journey.content import load_assessment, load_feedback_form
>>> store = Store(os.path.join(tempfile.mkdtemp(), "ek.db"), outbox=os.path.join(tempfile.mkdtemp(), "ob.db"))
>>> report = class_report(store.class_view(), load_course(), load_assessment(), load_feedback_form())
>>> report.participants, bool(report.gains["shown"].any())
(0, False)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from evidencekit.course.model import Course
from evidencekit.course.progress import summarise
from evidencekit.journey.content import Assessment, FeedbackForm
from evidencekit.journey.gain import provenance as assessment_provenance

MIN_COUNT = 3


@dataclass
class ClassReport:
    participants: int
    gains: pd.DataFrame
    completion: pd.DataFrame
    feedback: pd.DataFrame
    comments: dict[str, list[str]] = field(default_factory=dict)
    min_count: int = MIN_COUNT

    def frames(self) -> dict[str, pd.DataFrame]:
        """The tables, by the name of the CSV each is written to."""
        comments = pd.DataFrame([{"item": k, "comment": c} for k, cs in self.comments.items() for c in cs],
                                columns=["item", "comment"])
        comments.attrs = dict(self.feedback.attrs)
        return {"learning-gain": self.gains, "completion": self.completion, "feedback": self.feedback,
                "comments": comments}


def _record(title: str, participants: int, min_count: int, what: str) -> dict:
    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    source = (f"{title}, evidencekit class view ({what} of {participants} participant"
              f"{'s' if participants != 1 else ''}, anonymised; groups of fewer than {min_count} not shown)")
    return {"kind": "user", "source": source, "publisher": None, "licence": None, "dataset": title, "vintage": None,
            "retrieved_at": stamp, "citation": f"{source}. Retrieved {stamp[:10]}."}


def _note(n: int, min_count: int) -> str:
    return "" if n == 0 or n >= min_count else f"fewer than {min_count} participants: not shown"


def class_gains(view, assessment: Assessment, *, min_count: int = MIN_COUNT) -> pd.DataFrame:
    """Mean pre- and post-course scores and gain per competence, over participants who took both."""
    pairs = [b for b in view.anonymous_records("assessment") if "pre" in b and "post" in b]
    rows = []
    for c in assessment.competences:
        pre, post = [], []
        for b in pairs:
            a, z = b["pre"].get("statuses", {}), b["post"].get("statuses", {})
            both = [q.id for q in c.questions if q.id in a and q.id in z]
            if both:
                pre.append(100 * sum(a[q] == "correct" for q in both) / len(both))
                post.append(100 * sum(z[q] == "correct" for q in both) / len(both))
        n = len(pre)
        shown = n >= min_count
        mean = (lambda xs: round(sum(xs) / len(xs), 1)) if shown else (lambda xs: None)
        p, s = mean(pre), mean(post)
        rows.append({"module": c.module, "competence": c.id, "text": c.text, "participants": n, "pre": p, "post": s,
                     "gain": round(s - p, 1) if shown else None, "shown": shown, "note": _note(n, min_count)})
    df = pd.DataFrame(rows)
    df.attrs["provenance"] = assessment_provenance(assessment, participants=len(pairs), suppressed_below=min_count)
    df.attrs["unit"] = "% of questions right (mean)"
    return df


def class_completion(view, course: Course, *, min_count: int = MIN_COUNT) -> pd.DataFrame:
    """Per module: participants, how many completed it (suppressed when 1 to ``min_count - 1``), the share in %."""
    people = view.anonymous_progress()
    done = {m.number: 0 for m in course.modules}
    for person in people:
        for p in summarise(course, person["progress"], person["answers"]):
            done[p.module] += int(p.complete)
    rows = []
    for m in course.modules:
        n = done[m.number]
        shown = n == 0 or n >= min_count
        rows.append({"module": m.number, "title": m.title, "participants": len(people),
                     "completed": n if shown else None,
                     "percent": round(100 * n / len(people), 1) if shown and people else None,
                     "shown": shown, "note": _note(n, min_count)})
    df = pd.DataFrame(rows)
    df.attrs["provenance"] = _record("Completion per module", len(people), min_count, "progress")
    return df


def class_feedback(view, form: FeedbackForm, *, min_count: int = MIN_COUNT) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """Per rating item: section, text, how many answered, the mean rating; and the comments per text item."""
    given = [b["course"] for b in view.anonymous_records("feedback") if "course" in b]
    rows = []
    for item in form.items:
        if item.kind != "likert":
            continue
        values = [g.get("ratings", {}).get(item.id) for g in given]
        values = [v for v in values if isinstance(v, int)]
        n = len(values)
        shown = n >= min_count
        rows.append({"section": item.section, "item": item.id, "text": item.text, "answered": n,
                     "mean": round(sum(values) / n, 2) if shown else None, "scale": len(form.scale),
                     "shown": shown, "note": _note(n, min_count)})
    df = pd.DataFrame(rows)
    df.attrs["provenance"] = _record(form.title, len(given), min_count, "feedback")
    comments: dict[str, list[str]] = {}
    if len(given) >= min_count:
        for item in form.items:
            if item.kind == "text":
                texts = sorted(g.get("comments", {}).get(item.id) for g in given if g.get("comments", {}).get(item.id))
                if texts:
                    comments[item.id] = texts
    return df, comments


def class_report(view, course: Course, assessment: Assessment, form: FeedbackForm, *,
                 min_count: int = MIN_COUNT) -> ClassReport:
    """Everything the class view shows, anonymised (see the module doc). ``view``: the trainer's
    :class:`evidencekit.store.ClassView`."""
    if not isinstance(min_count, int) or min_count < 2:
        from evidencekit.journey.errors import JourneyError
        raise JourneyError("The class view", f"min_count={min_count!r} would show single participants",
                           "keep groups of at least 2 (3 by default)")
    feedback, comments = class_feedback(view, form, min_count=min_count)
    return ClassReport(participants=len(view.participants()), gains=class_gains(view, assessment, min_count=min_count),
                       completion=class_completion(view, course, min_count=min_count), feedback=feedback,
                       comments=comments, min_count=min_count)


def export_report(report: ClassReport, folder: str | Path) -> list[Path]:
    """Write the report's tables as CSV files (formula-safe, with their citation) into ``folder``."""
    from evidencekit.export import write
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    return [write(df, out / f"class-{name}.csv") for name, df in report.frames().items()]
