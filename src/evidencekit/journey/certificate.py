"""The certificate of participation: a one-page PDF (fpdf2) with the participant's name, the course, its dates
and the modules completed — issued only when every module is complete.

A module is complete when its introduction, every learning step and every review question are done
(:func:`evidencekit.course.summarise`). Until then :func:`issue_certificate` refuses, saying which modules are
left and what is left in each. The name is the participant's own text: normalised, stripped of control and
invisible characters (:func:`~evidencekit.journey.text.clean_text`) and written with an embedded Unicode font
(DejaVu Sans, shipped with matplotlib), which covers Latin (with Vietnamese and every European accent), Greek
and Cyrillic letters. Names in scripts it cannot write correctly (Thai, Lao, Khmer, Myanmar, Arabic, Chinese …)
are refused with a plain request to type the name in Latin letters — never printed as empty boxes.

>>> pdf = certificate_pdf("Nguyễn Thị Ánh", "Evidence-based policy making for decent work",
...                       (date(2026, 3, 2), date(2026, 4, 10)), [(1, "Evidence and the policy cycle")],
...                       issued_on=date(2026, 4, 10), number="EK-TEST")
>>> pdf[:5]
b'%PDF-'
"""
from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from evidencekit.course.model import Course
from evidencekit.course.progress import summarise
from evidencekit.journey.errors import JourneyError
from evidencekit.journey.text import clean_text

COURSE_TITLE = "Evidence-based policy making for decent work"
MAX_NAME = 120
# scripts that need shaping or right-to-left layout, which the certificate does not do: refused, not garbled
_UNSUPPORTED = ((0x0590, 0x08FF, "Hebrew or Arabic"), (0x0900, 0x0DFF, "Indic"), (0x0E00, 0x0E7F, "Thai"),
                (0x0E80, 0x0EFF, "Lao"), (0x0F00, 0x0FFF, "Tibetan"), (0x1000, 0x109F, "Myanmar"),
                (0x1780, 0x17FF, "Khmer"), (0x1800, 0x18AF, "Mongolian"), (0xA980, 0xA9DF, "Javanese"),
                (0x1B00, 0x1B7F, "Balinese"), (0xFB1D, 0xFDFF, "Hebrew or Arabic"), (0xFE70, 0xFEFF, "Arabic"))


def _fonts() -> tuple[Path, Path]:
    import matplotlib
    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"


_COVERED: set[int] | None = None


def _covered() -> set[int]:
    global _COVERED
    if _COVERED is None:
        from fontTools.ttLib import TTFont
        covered: set[int] = set()
        for path in _fonts():
            with TTFont(str(path), lazy=True) as font:
                covered |= set(font.getBestCmap())
        _COVERED = covered
    return _COVERED


def printable_name(name: object) -> str:
    """The name as it will be printed, or :class:`JourneyError` saying what to change.

    >>> printable_name("  Maria\\u202e  José\\u200b ")
    'Maria José'
    >>> printable_name("สมชาย")
    Traceback (most recent call last):
    ...
    evidencekit.journey.errors.JourneyError: The name on your certificate: it is written in Thai letters, which the certificate cannot print correctly. What to do: type your name as it should appear in Latin letters (for example as in your passport).
    """
    text = clean_text(name, limit=MAX_NAME, what="name", one_line=True)
    if not text:
        raise JourneyError("The name on your certificate", "it is empty", "type your name as it should appear")
    for ch in text:
        cp = ord(ch)
        for lo, hi, script in _UNSUPPORTED:
            if lo <= cp <= hi:
                raise JourneyError("The name on your certificate",
                                   f"it is written in {script} letters, which the certificate cannot print correctly",
                                   "type your name as it should appear in Latin letters (for example as in your passport)")
    missing = sorted({ch for ch in text if ord(ch) not in _covered() and unicodedata.category(ch) != "Zs"})
    if missing:
        shown = ", ".join(f"'{c}'" for c in missing[:5])
        raise JourneyError("The name on your certificate", f"it has characters the certificate cannot print ({shown})",
                           "type your name as it should appear in Latin letters (for example as in your passport)")
    return text


@dataclass(frozen=True)
class Eligibility:
    """Whether every module is complete: ``complete`` (module numbers), ``left`` (module -> what is left)."""

    complete: tuple[int, ...]
    left: dict[int, str]

    @property
    def ok(self) -> bool:
        return not self.left

    @property
    def message(self) -> str:
        if self.ok:
            return "Every module is complete: your certificate of participation can be issued."
        parts = [f"module {n} ({what})" for n, what in sorted(self.left.items())]
        return ("The certificate of participation is issued when every module is complete. Still to do: "
                + "; ".join(parts) + ".")


def eligibility(course: Course, progress, latest_answers) -> Eligibility:
    """Which modules are complete, and what is left in the others (from the store's progress and answers)."""
    done, left = [], {}
    for p in summarise(course, progress, latest_answers):
        if p.complete:
            done.append(p.module)
            continue
        bits = []
        if not p.intro_done:
            bits.append("the introduction")
        if p.steps_done < p.steps_total:
            n = p.steps_total - p.steps_done
            bits.append(f"{n} learning step{'s' if n != 1 else ''}")
        if p.questions_answered < p.questions_total:
            n = p.questions_total - p.questions_answered
            bits.append(f"{n} review question{'s' if n != 1 else ''}")
        left[p.module] = ", ".join(bits)
    return Eligibility(tuple(done), left)


def _long_date(d: date) -> str:
    return f"{d.day} {d.strftime('%B')} {d.year}"


def certificate_pdf(name: str, course_title: str, dates: tuple[date, date], modules: list[tuple[int, str]], *,
                    issued_on: date, number: str, organiser: str | None = None) -> bytes:
    """The certificate as PDF bytes (A4 landscape). ``modules``: (number, title) of the modules completed."""
    from fpdf import FPDF

    name = printable_name(name)
    course_title = clean_text(course_title, limit=200, what="course title", one_line=True)
    organiser = clean_text(organiser, limit=200, what="organiser", one_line=True) if organiser else None
    start, end = dates
    regular, bold = _fonts()
    pdf = FPDF(orientation="landscape", unit="mm", format="A4")
    pdf.set_title(f"Certificate of participation — {name}")
    pdf.set_subject(course_title)
    pdf.set_author(organiser or "evidencekit")
    pdf.set_creator("evidencekit")
    pdf.set_creation_date(datetime(issued_on.year, issued_on.month, issued_on.day))
    pdf.add_font("DejaVu", "", str(regular))
    pdf.add_font("DejaVu", "B", str(bold))
    pdf.set_auto_page_break(False)
    pdf.add_page()
    w = pdf.w - 2 * 20
    pdf.set_draw_color(0, 114, 178)        # Okabe-Ito blue, as the charts
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
    pdf.set_text_color(34, 34, 34)
    pdf.set_xy(20, 26)
    pdf.set_font("DejaVu", "B", 30)
    pdf.cell(w, 14, "Certificate of participation", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 14)
    pdf.set_x(20)
    pdf.cell(w, 12, "This certifies that", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 26 if len(name) <= 40 else 18)
    pdf.set_x(20)
    pdf.multi_cell(w, 13, name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 14)
    pdf.set_x(20)
    pdf.cell(w, 10, "took part in the course", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 18)
    pdf.set_x(20)
    pdf.multi_cell(w, 10, course_title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 14)
    pdf.set_x(20)
    period = _long_date(start) if start == end else f"from {_long_date(start)} to {_long_date(end)}"
    pdf.cell(w, 10, period + (f", organised by {organiser}" if organiser else ""), align="C",
             new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(20)
    pdf.cell(w, 10, "and completed the modules", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 12)
    for number_, title in modules:
        pdf.set_x(20)
        pdf.cell(w, 6.5, f"{number_}. {title}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    pdf.set_text_color(80, 80, 80)
    pdf.set_xy(20, pdf.h - 24)
    pdf.cell(w, 5, f"Issued on {_long_date(issued_on)} · Certificate {number} · made with evidencekit", align="C")
    return bytes(pdf.output())


def issue_certificate(me, course: Course, *, name: str | None = None, course_title: str = COURSE_TITLE,
                      dates: tuple[date, date] | None = None, organiser: str | None = None,
                      today: date | None = None) -> bytes:
    """The participant's certificate as PDF bytes — refused (:class:`JourneyError`) until every module is
    complete. ``name``: as it should appear (default: the name the participant gave); ``dates``: the course's
    first and last day (default: the participant's first and last day of work in the course). The issue is
    kept (record ``certificate/participation``) with its number, which stays the same when issued again."""
    today = today or date.today()
    progress, answers = me.progress(), me.latest_answers()
    check = eligibility(course, progress, answers)
    if not check.ok:
        raise JourneyError("Issuing your certificate of participation", check.message.split(". ", 1)[1].rstrip("."),
                           "finish those parts first; the certificate is issued when every module is complete")
    name = name if name is not None else me.profile().get("name")
    if not name:
        raise JourneyError("Issuing your certificate of participation", "there is no name to print",
                           "type your name as it should appear on the certificate")
    name = printable_name(name)
    if dates is None:
        days = sorted(str(r.get("updated_at") or r.get("answered_at"))[:10] for r in [*progress, *answers])
        dates = (date.fromisoformat(days[0]), date.fromisoformat(days[-1]))
    if dates[0] > dates[1]:
        raise JourneyError("Issuing your certificate", "the course ends before it starts", "give the dates in order")
    old = next((r["payload"] for r in me.records("certificate") if r["key"] == "participation"), None)
    number = old["number"] if old and old.get("number") else f"EK-{secrets.token_hex(4).upper()}"
    modules = [(m.number, m.title) for m in course.modules if m.number in check.complete]
    pdf = certificate_pdf(name, course_title, dates, modules, issued_on=today, number=number, organiser=organiser)
    me.put_record("certificate", "participation", {
        "number": number, "name": name, "course": course_title, "dates": [d.isoformat() for d in dates],
        "modules": [n for n, _ in modules], "issued_on": today.isoformat(),
        "first_issued_on": old.get("first_issued_on", old.get("issued_on")) if old else today.isoformat()})
    return pdf
