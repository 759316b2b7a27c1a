"""A participant's progress through the course, from what the store holds (pure: no store access here).

``summarise(course, progress, answers)`` takes the participant's progress marks and latest answers as the
store returns them (:meth:`evidencekit.store.ParticipantStore.progress` and ``.latest_answers``) and says, per
module, what is done and where to go next. Marks and answers are keyed by stable ids (step ``id``, question
``id``), so reordering steps in a file keeps a participant's work; marks for ids no longer in the file are
ignored (and counted in ``unknown``).

>>> from evidencekit.course.model import load_course
>>> course = load_course()
>>> first = course.module(1).steps[0].id
>>> p = summarise(course, [{"module": 1, "item": "intro", "status": "done"},
...                        {"module": 1, "item": first, "status": "done"}], [])[0]
>>> p.steps_done, p.steps_total, p.next.query_params
(1, 4, {'module': '1', 'step': '2'})
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from evidencekit.course.model import Course, Location


@dataclass
class ModuleProgress:
    module: int
    intro_done: bool
    steps_done: int
    steps_total: int
    questions_answered: int
    questions_correct: int
    questions_total: int
    done_steps: list[str] = field(default_factory=list)
    next: Location | None = None  # the first part not done yet (None: module complete)
    unknown: int = 0  # marks or answers for ids that are no longer in the module file

    @property
    def complete(self) -> bool:
        return self.next is None

    @property
    def percent(self) -> int:
        """Share of the module's parts done (introduction, each step, each question answered), 0-100."""
        total = 1 + self.steps_total + self.questions_total
        done = int(self.intro_done) + self.steps_done + self.questions_answered
        return round(100 * done / total) if total else 0


def summarise(course: Course, progress: Iterable[dict], answers: Iterable[dict]) -> list[ModuleProgress]:
    """Progress of every module from progress marks (``module``, ``item``, ``status``) and latest answers
    (``module``, ``question``, ``status``)."""
    marks: dict[int, dict[str, str]] = {}
    for rec in progress:
        marks.setdefault(int(rec["module"]), {})[str(rec["item"])] = rec.get("status", "done")
    latest: dict[int, dict[str, str]] = {}
    for rec in answers:
        latest.setdefault(int(rec["module"]), {})[str(rec["question"])] = rec.get("status", "")
    out = []
    for m in course.modules:
        mk, an = marks.get(m.number, {}), latest.get(m.number, {})
        step_ids = [s.id for s in m.steps]
        q_ids = [q.id for q in m.questions]
        done = [sid for sid in step_ids if mk.get(sid) == "done"]
        answered = [qid for qid in q_ids if an.get(qid) in ("correct", "incorrect")]
        correct = [qid for qid in q_ids if an.get(qid) == "correct"]
        unknown = len([k for k in mk if k not in step_ids and k not in ("intro", "review")]) + \
            len([k for k in an if k not in q_ids])
        intro_done = mk.get("intro") == "done"
        if not intro_done:
            nxt = Location(m, "introduction")
        elif len(done) < len(step_ids):
            nxt = Location(m, "learning", next(s for s in m.steps if s.id not in done))
        elif len(answered) < len(q_ids):
            nxt = Location(m, "review")
        else:
            nxt = None
        out.append(ModuleProgress(m.number, intro_done, len(done), len(step_ids), len(answered), len(correct),
                                  len(q_ids), done, nxt, unknown))
    return out
