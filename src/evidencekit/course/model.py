"""The course as Python objects: modules, their introduction, learning steps and review questions.

Built from validated module files (:func:`load_module`, :func:`load_course`); immutable. Every module has a
number (1-6) and every step a number (its place) and an ``id`` (stable); :meth:`Course.locate` turns the
values of a deep link (``?module=2&step=3``) into a :class:`Location`, or refuses them with a clear message.

>>> course = load_course()
>>> [m.number for m in course.modules]
[1, 2, 3, 4, 5, 6]
>>> loc = course.locate(module="2", step="3")
>>> loc.part, loc.step.number, loc.query_params == {"module": "2", "step": "3"}
('learning', 3, True)
"""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from evidencekit.course.errors import ExerciseError, LocationError, Problem
from evidencekit.course.schema import Reader
from evidencekit.course.spec import MODULE, STEP_KINDS

PARTS = ("introduction", "learning", "review")


@dataclass(frozen=True)
class Step:
    """A learning step: what the participant does (``kind``) and its parameters (``params``)."""

    module: int
    number: int
    id: str
    kind: str
    title: str
    text: str
    task: str
    hints: tuple[str, ...] = ()
    key_points: tuple[str, ...] = ()
    board: dict | None = None
    params: dict = field(default_factory=dict)

    @property
    def key(self) -> str:
        """The stable key progress is saved under: ``"2/youth-gap"``."""
        return f"{self.module}/{self.id}"

    @property
    def action(self) -> str:
        """What this kind of step does, in words (from the step vocabulary)."""
        return STEP_KINDS[self.kind][0]


@dataclass(frozen=True)
class Option:
    id: str
    text: str
    correct: bool | None = None
    value: str | None = None
    feedback: str | None = None


@dataclass(frozen=True)
class Question:
    """A review question. ``answer`` is ``{"value": x}`` (typed in) or a computed answer (query + operation)."""

    module: int
    number: int
    id: str
    kind: str
    prompt: str
    explanation: str
    options: tuple[Option, ...] = ()
    answer: dict | None = None
    unit: str | None = None
    decimals: int = 1
    tolerance: float | None = None
    allow_retry: bool = True

    @property
    def key(self) -> str:
        return f"{self.module}/{self.id}"

    @property
    def computed(self) -> bool:
        """True when the right answer is computed from data when it is checked."""
        return isinstance(self.answer, dict) and "operation" in self.answer

    @property
    def margin(self) -> float:
        """How far a numeric answer may be from the right one: ``tolerance``, else half of the last decimal shown."""
        return self.tolerance if self.tolerance is not None else 0.5 * 10 ** (-self.decimals)


@dataclass(frozen=True)
class Introduction:
    purpose: str
    objectives: tuple[str, ...]
    at_work: str
    policy_question: str | None = None
    produce: str | None = None
    data: tuple[str, ...] = ()


@dataclass(frozen=True)
class Module:
    number: int
    title: str
    case_study: str
    introduction: Introduction
    steps: tuple[Step, ...]
    key_points: tuple[str, ...]
    questions: tuple[Question, ...]
    time: str | None = None
    next: str | None = None
    file: str = ""
    digest: str = ""  # sha256 of the file's text (first 12 hex): saved with answers, shows when content changed
    lines: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def id(self) -> str:
        return f"module-{self.number}"

    def step(self, ref: int | str) -> Step:
        """A learning step by number (1..n) or by id."""
        text = str(ref).strip().lower()
        for s in self.steps:
            if text == s.id or (text.isdigit() and int(text) == s.number):
                return s
        raise LocationError(f"Step {ref!r} of module {self.number} ({self.title})",
                            f"there is no such step; the module has steps 1–{len(self.steps)} "
                            f"({', '.join(s.id for s in self.steps)})",
                            "write a step number, a step id, `intro` or `review`")

    def question(self, ref: int | str) -> Question:
        text = str(ref).strip().lower()
        for q in self.questions:
            if text == q.id or (text.isdigit() and int(text) == q.number):
                return q
        raise LocationError(f"Question {ref!r} of module {self.number}",
                            f"there is no such question; the module has questions 1–{len(self.questions)} "
                            f"({', '.join(q.id for q in self.questions)})", "write a question number or id")


@dataclass(frozen=True)
class Location:
    """Where a deep link points: a module and its introduction, one learning step, or its review."""

    module: Module
    part: str
    step: Step | None = None

    @property
    def query_params(self) -> dict[str, str]:
        """The link back here: ``{"module": "2", "step": "3"}`` (``intro``/``review`` for those parts)."""
        step = {"introduction": "intro", "review": "review"}.get(self.part) or str(self.step.number)
        return {"module": str(self.module.number), "step": step}


@dataclass(frozen=True)
class Course:
    modules: tuple[Module, ...]
    folder: str = ""

    def module(self, ref: int | str) -> Module:
        """A module by number (2, "2") or id ("module-2")."""
        text = str(ref).strip().lower()
        m = re.fullmatch(r"(?:module-?)?(\d+)", text)
        for mod in self.modules:
            if m and int(m.group(1)) == mod.number:
                return mod
        have = ", ".join(str(x.number) for x in self.modules)
        raise LocationError(f"The module {ref!r}", f"there is no such module; the course has modules {have}",
                            f"write a module number ({have})")

    def locate(self, module: int | str | None, step: int | str | None = None) -> Location:
        """Resolve the values of a deep link (``?module=2&step=3``; ``step`` may also be an id, ``intro``,
        ``review``) -> :class:`Location`; refuse values that point nowhere with :class:`LocationError`.

        >>> load_course().locate("2", "review").part
        'review'
        >>> load_course().locate("9")
        Traceback (most recent call last):
        ...
        evidencekit.course.errors.LocationError: The module '9': there is no such module; the course has modules 1, 2, 3, 4, 5, 6. What to do: write a module number (1, 2, 3, 4, 5, 6).
        """
        if module is None or str(module).strip() == "":
            if step not in (None, ""):
                raise LocationError(f"The step {step!r}", "a step needs a module", "add module=<number> to the link")
            raise LocationError("The link", "names no module", "add module=<number>, e.g. ?module=1")
        mod = self.module(module)
        text = "" if step is None else str(step).strip().lower()
        if text in ("", "intro", "introduction"):
            return Location(mod, "introduction")
        if text == "review":
            return Location(mod, "review")
        return Location(mod, "learning", mod.step(text))

    def question(self, key: str) -> Question:
        """A question by its key ``"2/youth-highest"``."""
        number, _, qid = key.partition("/")
        return self.module(number).question(qid)


# -- loading ---------------------------------------------------------------------------------------------
def _tuple(items) -> tuple:
    return tuple(items or ())


def build_module(data: dict, file: str, digest: str, lines: dict) -> Module:
    """Turn a validated module mapping into a :class:`Module`."""
    number = data["module"]
    steps = []
    for i, s in enumerate(data["learning"], start=1):
        common = {"id", "kind", "title", "text", "task", "hints", "key_points", "board"}
        steps.append(Step(module=number, number=i, id=s["id"], kind=s["kind"], title=s["title"], text=s["text"],
                          task=s["task"], hints=_tuple(s.get("hints")), key_points=_tuple(s.get("key_points")),
                          board=s.get("board"), params={k: v for k, v in s.items() if k not in common}))
    questions = []
    for i, q in enumerate(data["review"], start=1):
        questions.append(Question(
            module=number, number=i, id=q["id"], kind=q["kind"], prompt=q["prompt"], explanation=q["explanation"],
            options=tuple(Option(o["id"], o["text"], o.get("correct"), o.get("value"), o.get("feedback"))
                          for o in q.get("options", [])),
            answer=q.get("answer"), unit=q.get("unit"), decimals=q.get("decimals", 1), tolerance=q.get("tolerance"),
            allow_retry=q.get("allow_retry", True)))
    intro = data["introduction"]
    return Module(number=number, title=data["title"], case_study=data["case_study"],
                  introduction=Introduction(intro["purpose"], _tuple(intro["objectives"]), intro["at_work"],
                                            intro.get("policy_question"), intro.get("produce"), _tuple(intro.get("data"))),
                  steps=tuple(steps), key_points=_tuple(data["key_points"]), questions=tuple(questions),
                  time=data.get("time"), next=data.get("next"), file=file, digest=digest, lines=lines)


def read_module(path: str | os.PathLike, *, shown_as: str | None = None) -> tuple[Module | None, list[Problem]]:
    """Read and validate one module file -> (module or None, problems). Never raises for a bad file."""
    p = Path(path)
    name = shown_as or str(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [Problem(name, "", "the file does not exist", "a module file such as exercises/module-1.yaml")]
    except (OSError, UnicodeDecodeError) as err:
        return None, [Problem(name, "", f"the file cannot be read ({err})", "a UTF-8 text file")]
    r = Reader(name, text)
    if r.problems:
        return None, r.problems
    if r.data is None:
        return None, [Problem(name, "", "the file is empty", "a module: module, title, case_study, introduction, "
                                                              "learning, key_points, review")]
    data = MODULE.check(r.data, (), r)
    if r.problems:
        return None, r.problems
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    return build_module(data, name, digest, r.lines), []


def load_module(path: str | os.PathLike) -> Module:
    """Read one module file; raise :class:`ExerciseError` listing every problem when it is not valid."""
    module, problems = read_module(path)
    if problems:
        raise ExerciseError(problems)
    return module


def default_folder() -> Path:
    """``EVIDENCEKIT_EXERCISES`` when set, else the ``exercises/`` folder of the evidencekit repository, else
    (evidencekit installed from a wheel) the copy of it the build puts in the package (``_bundled/exercises``).

    >>> default_folder().name
    'exercises'
    """
    env = os.environ.get("EVIDENCEKIT_EXERCISES", "").strip()
    if env:
        return Path(env)
    here = Path(__file__).resolve()
    checkout = here.parents[3] / "exercises"
    installed = here.parents[1] / "_bundled" / "exercises"
    return installed if installed.is_dir() and not checkout.is_dir() else checkout


def _shown(path: Path, folder: Path) -> str:
    try:
        return str(Path(folder.name) / path.relative_to(folder))
    except ValueError:
        return str(path)


def read_course(folder: str | os.PathLike | None = None) -> tuple[Course | None, list[Problem]]:
    """Read every module file (``*.yaml``) of ``folder`` -> (course or None, problems of all files)."""
    root = Path(folder) if folder is not None else default_folder()
    if not root.is_dir():
        return None, [Problem(str(root), "", "the exercises folder does not exist",
                              "a folder of module files (set EVIDENCEKIT_EXERCISES or pass the folder)")]
    files = sorted([*root.glob("*.yaml"), *root.glob("*.yml")])
    if not files:
        return None, [Problem(str(root), "", "the folder has no module file", "files such as module-1.yaml")]
    modules, problems = [], []
    for f in files:
        m, found = read_module(f, shown_as=_shown(f, root))
        problems.extend(found)
        if m is not None:
            modules.append(m)
    seen: dict[int, str] = {}
    for m in modules:
        if m.number in seen:
            problems.append(Problem(m.file, "field `module`", f"module {m.number} is also {seen[m.number]}",
                                    "one file per module number", line=m.lines.get(("module",))))
        seen.setdefault(m.number, m.file)
    if problems:
        return None, problems
    return Course(tuple(sorted(modules, key=lambda m: m.number)), str(root)), []


def load_course(folder: str | os.PathLike | None = None) -> Course:
    """Read and validate the course (every module file of ``folder``); raise :class:`ExerciseError` if any is bad."""
    course, problems = read_course(folder)
    if problems:
        raise ExerciseError(problems)
    return course


def place_of(module: Module, path: tuple) -> tuple[str, int | None]:
    """(place in words, line) of ``path`` inside a loaded module, for problems found after loading."""
    r = Reader.__new__(Reader)
    r.file, r.lines, r.problems = module.file, module.lines, []
    r.data = {"learning": [{"title": s.title} for s in module.steps],
              "review": [{"id": q.id} for q in module.questions]}
    return r.place(path), r.line(path)
