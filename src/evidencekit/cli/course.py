"""``evidencekit course check | show``: check the course's module files, list their steps and questions.

``check`` validates every module file (form: fields, kinds, ids, with file, place and line) — and the journey's
files in ``journey/`` beside them (the assessment and the feedback form, ``docs/journey.md``) — and then, unless
``--form-only``, computes every data step and data-dependent answer offline from the embedded snapshot and
the SYNTHETIC survey. Exit code 0 when all is well, 2 when a problem was found (each printed on its line).
"""
from __future__ import annotations

import argparse
from pathlib import Path


def _read(paths: list[str]):
    from evidencekit.course import read_course, read_module
    from evidencekit.course.model import Course

    if not paths:
        return read_course()
    modules, problems = [], []
    for p in paths:
        if Path(p).is_dir():
            course, found = read_course(p)
            problems += found
            modules += list(course.modules) if course else []
        else:
            m, found = read_module(p)
            problems += found
            modules += [m] if m else []
    return (Course(tuple(modules)) if modules else None), problems


def _journey(paths: list[str], course) -> tuple[list, str]:
    """Problems of the journey files (``journey/assessment.yaml``, ``journey/feedback.yaml``) beside the module
    files checked, and a line saying what was checked ('' when there are none)."""
    from evidencekit.course.model import default_folder
    from evidencekit.journey.content import read_assessment, read_feedback_form

    folders = [Path(p) / "journey" for p in paths if Path(p).is_dir()] if paths else [default_folder() / "journey"]
    problems, said = [], []
    modules = tuple(m.number for m in course.modules) if course else None
    for folder in folders:
        if (folder / "assessment.yaml").exists():
            a, found = read_assessment(folder / "assessment.yaml", modules=modules)
            problems += found
            if a:
                said.append(f"the assessment ({len(a.questions)} questions on {len(a.competences)} competences)")
        if (folder / "feedback.yaml").exists():
            f, found = read_feedback_form(folder / "feedback.yaml")
            problems += found
            if f:
                said.append(f"the feedback form ({len(f.items)} items)")
    return problems, ("OK: " + " and ".join(said) + "." if said else "")


def cmd_check(args, out) -> int:
    from evidencekit.course import check_module

    course, problems = _read(args.paths)
    journey_problems, journey_said = _journey(args.paths, course)
    problems += journey_problems
    for p in problems:
        print(f"problem: {p}", file=out)
    checked = 0
    if course is not None and not args.form_only:
        for m in course.modules:
            found = check_module(m)
            for p in found:
                print(f"problem: {p}", file=out)
            problems += found
            checked += 1
    if problems:
        print(f"\n{len(problems)} problem{'s' if len(problems) > 1 else ''} found. Nothing was changed.", file=out)
        return 2
    modules = course.modules if course else ()
    steps = sum(len(m.steps) for m in modules)
    questions = sum(len(m.questions) for m in modules)
    computed = sum(q.computed for m in modules for q in m.questions)
    what = "form only" if args.form_only else "form, and every data step and computed answer offline"
    print(f"OK: {len(modules)} module file{'s' if len(modules) != 1 else ''}, {steps} learning steps, "
          f"{questions} review questions ({computed} computed from data) — checked {what}.", file=out)
    if journey_said:
        print(journey_said, file=out)
    return 0


def cmd_show(args, out) -> int:
    from evidencekit.course import load_course

    course = load_course(args.folder)
    for m in course.modules:
        if args.module and m.number != args.module:
            continue
        print(f"Module {m.number}: {m.title} — {m.case_study}  ({m.file})", file=out)
        for s in m.steps:
            print(f"  ?module={m.number}&step={s.number}  {s.id:<24} {s.kind:<18} {s.title}", file=out)
        for q in m.questions:
            tag = "computed" if q.computed else ""
            print(f"  review {q.number}: {q.id:<22} {q.kind:<9} {tag}", file=out)
    return 0


def register(sub, missing) -> None:
    """Add ``course`` (``check``, ``show``) to the ``evidencekit`` parser."""
    c = sub.add_parser("course", help="check the course's module files (exercises/), list steps and questions",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="The course content is data: one YAML file per module in exercises/ "
                                   "(docs/course-authoring.md).",
                       epilog="examples:\n  evidencekit course check exercises/\n"
                              "  evidencekit course check exercises/module-2.yaml --form-only\n"
                              "  evidencekit course show --module 2")
    csub = c.add_subparsers(dest="course_command", metavar="COMMAND")
    c.set_defaults(func=lambda args, out: missing(c))
    k = csub.add_parser("check", help="validate module files and compute every data-dependent answer offline")
    k.add_argument("paths", nargs="*", metavar="PATH", help="module files or folders (default: the course's exercises/)")
    k.add_argument("--form-only", action="store_true", help="check the form only (no data is read)")
    k.set_defaults(func=cmd_check)
    s = csub.add_parser("show", help="list modules, steps (with their deep links) and questions")
    s.add_argument("--folder", metavar="DIR", help="the exercises folder (default: the course's exercises/)")
    s.add_argument("--module", type=int, metavar="N", help="only module N")
    s.set_defaults(func=cmd_show)
