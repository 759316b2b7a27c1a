"""The journey's content as data: the pre- and post-course assessment and the course feedback form.

Both live in ``exercises/journey/`` (``assessment.yaml``, ``feedback.yaml``), written by trainers like the module
files and read the same way: YAML with the safe loader, every field checked by the course's schema
(:mod:`evidencekit.course.schema`), every problem said with its file, line and place, unknown fields refused.
Assessment questions use the review questions' format (:data:`evidencekit.course.spec.QUESTION`: single,
multiple, numeric; right answers and explanations), except that an answer computed from data is refused —
the same question must have the same right answer before and after the course. Format: ``docs/journey.md``.

>>> a = load_assessment()
>>> [m.number for m in a.modules], len(a.competences) >= 12
([1, 2, 3, 4, 5, 6], True)
>>> a.question("m3-rate").answer
{'value': 4.5}
>>> form = load_feedback_form()
>>> [s.id for s in form.sections][:4]
['content', 'method', 'tools', 'trainers']
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from evidencekit.course.errors import ExerciseError, Problem
from evidencekit.course.model import Option, Question, default_folder
from evidencekit.course.schema import Bool, Choice, Field, Int, ListOf, Map, Reader, Slug, Text
from evidencekit.course.spec import MD, QUESTION

SECTIONS = ("content", "method", "tools", "trainers")  # the feedback form must ask about each
ITEM_KINDS = ("likert", "text")
FORMS = ("pre", "post")


# -- the objects -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Competence:
    """What a module enables the participant to do, with the questions that test it."""

    module: int
    id: str
    text: str
    questions: tuple[Question, ...]

    @property
    def key(self) -> str:
        """``"2/read-notes"``: module and competence id."""
        return f"{self.module}/{self.id}"


@dataclass(frozen=True)
class AssessmentModule:
    number: int
    competences: tuple[Competence, ...]

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for c in self.competences for q in c.questions)


@dataclass(frozen=True)
class Assessment:
    """The pre- and post-course assessment: the same questions both times, grouped by module competence."""

    title: str
    instructions: str
    modules: tuple[AssessmentModule, ...]
    file: str = ""
    digest: str = ""

    @property
    def competences(self) -> tuple[Competence, ...]:
        return tuple(c for m in self.modules for c in m.competences)

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for m in self.modules for q in m.questions)

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        raise KeyError(qid)

    def competence_of(self, qid: str) -> Competence:
        for c in self.competences:
            if any(q.id == qid for q in c.questions):
                return c
        raise KeyError(qid)


@dataclass(frozen=True)
class FeedbackItem:
    id: str
    kind: str          # likert (1 to len(scale)) or text
    text: str
    required: bool     # likert items are required unless the file says otherwise; text items are optional
    section: str


@dataclass(frozen=True)
class FeedbackSection:
    id: str
    title: str
    items: tuple[FeedbackItem, ...]


@dataclass(frozen=True)
class FeedbackForm:
    title: str
    intro: str
    scale: tuple[str, ...]   # labels of 1, 2, ... (strongly disagree ... strongly agree)
    sections: tuple[FeedbackSection, ...]
    file: str = ""
    digest: str = ""

    @property
    def items(self) -> tuple[FeedbackItem, ...]:
        return tuple(i for s in self.sections for i in s.items)


# -- the rules ---------------------------------------------------------------------------------------------
def _competence_rule(out: dict, path, r: Reader) -> None:
    for i, q in enumerate(out.get("questions", [])):
        if isinstance(q.get("answer"), dict) and "operation" in q["answer"]:
            r.problem(path + ("questions", i, "answer"), "an assessment answer cannot be computed from data",
                      "a right answer that does not change between the pre- and post-course assessment "
                      "(options marked `correct: true`, or a number)")


COMPETENCE = Map({
    "id": Field(Slug(), required=True, doc="a stable id (the learning gain is shown per competence)"),
    "text": Field(Text(max_length=160), required=True, doc="what the participant can do, such as 'Read a series'"),
    "questions": Field(ListOf(QUESTION, min_items=1), required=True, doc="the questions that test it (one or more)"),
}, doc="a competence: id, text, questions", rules=(_competence_rule,))


def _assessment_module_rule(out: dict, path, r: Reader) -> None:
    n = sum(len(c.get("questions", [])) for c in out.get("competences", []))
    if n < 2:
        r.problem(path + ("competences",), f"the module's competences have {n} question{'s' if n != 1 else ''}",
                  "at least 2 questions per module")


ASSESSMENT_MODULE = Map({
    "module": Field(Int(low=1, high=99), required=True, doc="the module number"),
    "competences": Field(ListOf(COMPETENCE, min_items=1, unique_by="id"), required=True,
                         doc="the module's competences"),
}, doc="a module's competences: module, competences", rules=(_assessment_module_rule,))


def _assessment_rule(out: dict, path, r: Reader) -> None:
    seen: dict[str, tuple] = {}
    numbers: set[int] = set()
    for i, m in enumerate(out.get("modules", [])):
        if m.get("module") in numbers:
            r.problem(("modules", i, "module"), f"module {m['module']} is listed twice", "each module once")
        numbers.add(m.get("module"))
        for j, c in enumerate(m.get("competences", [])):
            for k, q in enumerate(c.get("questions", [])):
                where = ("modules", i, "competences", j, "questions", k, "id")
                if q.get("id") in seen:
                    r.problem(where, f"the question id `{q['id']}` is used twice", "a unique id in the whole file")
                seen.setdefault(q.get("id"), where)


ASSESSMENT = Map({
    "title": Field(Text(max_length=120), required=True),
    "instructions": Field(Text(MD), required=True, doc="what the participant reads first (Markdown)"),
    "modules": Field(ListOf(ASSESSMENT_MODULE, min_items=1), required=True, doc="the competences of each module"),
}, doc="the assessment file: title, instructions, modules", rules=(_assessment_rule,))

ITEM = Map({
    "id": Field(Slug(), required=True, doc="a stable id (answers are saved under it)"),
    "kind": Field(Choice(ITEM_KINDS), required=True,
                  doc="likert (a statement rated on the scale) or text (the participant's own words)"),
    "text": Field(Text(MD, max_length=300), required=True),
    "required": Field(Bool(), doc="true or false (default: true for likert, false for text)"),
}, doc="a feedback item: id, kind, text")


def _form_rule(out: dict, path, r: Reader) -> None:
    ids = [s.get("id") for s in out.get("sections", [])]
    for name in SECTIONS:
        if name not in ids:
            r.problem(("sections",), f"there is no section `{name}`", "sections content, method, tools and trainers")
    seen: set[str] = set()
    for i, s in enumerate(out.get("sections", [])):
        items = s.get("items", [])
        if not any(it.get("kind") == "likert" for it in items):
            r.problem(("sections", i, "items"), "the section has no likert item", "at least one statement to rate")
        for j, it in enumerate(items):
            if it.get("id") in seen:
                r.problem(("sections", i, "items", j, "id"), f"the item id `{it['id']}` is used twice",
                          "a unique id in the whole form")
            seen.add(it.get("id"))


SECTION = Map({
    "id": Field(Slug(), required=True),
    "title": Field(Text(max_length=60), required=True),
    "items": Field(ListOf(ITEM, min_items=1), required=True),
}, doc="a section: id, title, items")

FORM = Map({
    "title": Field(Text(max_length=120), required=True),
    "intro": Field(Text(MD), required=True),
    "scale": Field(ListOf(Text(max_length=40), min_items=3), required=True,
                   doc="the labels of the rating scale, lowest first (e.g. five, strongly disagree … strongly agree)"),
    "sections": Field(ListOf(SECTION, min_items=4, unique_by="id"), required=True),
}, doc="the feedback form: title, intro, scale, sections", rules=(_form_rule,))


# -- reading -----------------------------------------------------------------------------------------------
def journey_folder() -> Path:
    """``exercises/journey`` beside the module files (``EVIDENCEKIT_EXERCISES`` moves both)."""
    return default_folder() / "journey"


def _read(path: str | os.PathLike | None, name: str, spec: Map, what: str):
    p = Path(path) if path is not None else journey_folder() / name
    shown = str(Path(p.parent.name) / p.name) if path is None else str(p)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [Problem(shown, "", "the file does not exist", f"{what} such as exercises/journey/{name}")], "", shown
    except (OSError, UnicodeDecodeError) as err:
        return None, [Problem(shown, "", f"the file cannot be read ({err})", "a UTF-8 text file")], "", shown
    r = Reader(shown, text)
    if r.problems:
        return None, r.problems, "", shown
    if r.data is None:
        return None, [Problem(shown, "", "the file is empty", what)], "", shown
    data = spec.check(r.data, (), r)
    if r.problems:
        return None, r.problems, "", shown
    return data, [], hashlib.sha256(text.encode("utf-8")).hexdigest()[:12], shown


def _question(module: int, number: int, q: dict) -> Question:
    return Question(module=module, number=number, id=q["id"], kind=q["kind"], prompt=q["prompt"],
                    explanation=q["explanation"],
                    options=tuple(Option(o["id"], o["text"], o.get("correct"), None, o.get("feedback"))
                                  for o in q.get("options", [])),
                    answer=q.get("answer"), unit=q.get("unit"), decimals=q.get("decimals", 1),
                    tolerance=q.get("tolerance"), allow_retry=False)


def read_assessment(path: str | os.PathLike | None = None, *, modules: tuple[int, ...] | None = None
                    ) -> tuple[Assessment | None, list[Problem]]:
    """Read and validate the assessment file -> (assessment or None, problems). ``modules``: the course's module
    numbers — every one must have competences, and no other (default: those of the course in ``exercises/``)."""
    data, problems, digest, shown = _read(path, "assessment.yaml", ASSESSMENT, "the assessment file")
    if problems:
        return None, problems
    if modules is None:
        from evidencekit.course.model import read_course
        course, _ = read_course()
        modules = tuple(m.number for m in course.modules) if course else ()
    have = [m["module"] for m in data["modules"]]
    for n in modules:
        if n not in have:
            problems.append(Problem(shown, "field `modules`", f"module {n} has no competences",
                                    "competences and questions for every module of the course"))
    for n in have:
        if modules and n not in modules:
            problems.append(Problem(shown, "field `modules`", f"module {n} is not in the course",
                                    "module numbers " + ", ".join(map(str, modules))))
    if problems:
        return None, problems
    out = []
    for m in sorted(data["modules"], key=lambda m: m["module"]):
        number, count, comps = m["module"], 0, []
        for c in m["competences"]:
            qs = []
            for q in c["questions"]:
                count += 1
                qs.append(_question(number, count, q))
            comps.append(Competence(number, c["id"], c["text"], tuple(qs)))
        out.append(AssessmentModule(number, tuple(comps)))
    return Assessment(data["title"], data["instructions"], tuple(out), shown, digest), []


def load_assessment(path: str | os.PathLike | None = None) -> Assessment:
    """The validated assessment (``exercises/journey/assessment.yaml`` by default); :class:`ExerciseError`
    listing every problem when it is not valid."""
    a, problems = read_assessment(path)
    if problems:
        raise ExerciseError(problems)
    return a


def read_feedback_form(path: str | os.PathLike | None = None) -> tuple[FeedbackForm | None, list[Problem]]:
    data, problems, digest, shown = _read(path, "feedback.yaml", FORM, "the feedback form")
    if problems:
        return None, problems
    sections = tuple(FeedbackSection(s["id"], s["title"], tuple(
        FeedbackItem(i["id"], i["kind"], i["text"], i.get("required", i["kind"] == "likert"), s["id"])
        for i in s["items"])) for s in data["sections"])
    return FeedbackForm(data["title"], data["intro"], tuple(data["scale"]), sections, shown, digest), []


def load_feedback_form(path: str | os.PathLike | None = None) -> FeedbackForm:
    """The validated feedback form (``exercises/journey/feedback.yaml`` by default)."""
    form, problems = read_feedback_form(path)
    if problems:
        raise ExerciseError(problems)
    return form
