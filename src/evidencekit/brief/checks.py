"""The brief's checklist and length estimate (rules in ``docs/brief.md`` §Checks).

- **audience named**: an audience other than a placeholder;
- **structure**: a problem, at least one key message, one policy option and one recommendation;
- **every number sourced**: each number written in the problem and the key messages (years, small counts, age
  bands and confidence levels aside) is shown by an evidence item of the brief, to the precision written (5.1
  matches 5.06; 5 matches 4.6 to 5.4); in options and recommendations only statistics (decimals or %) are
  checked, since a proposal's target ('50,000 places') is not a finding;
- **uncertainty stated**: a sentence that quotes a survey estimate also gives its range or confidence interval;
- **each recommendation tied to evidence**: every recommendation names evidence items of the brief;
- **charts drawn right** (listed only when it fails): no line chart kept before drawing rules 2 whose value axis
  showed whole ticks without their zeros (:func:`evidencekit.brief.board.drawn_wrongly`);
- **length**: 2–4 pages, estimated as words / 450, plus each chart's height (6 inches wide) and each table's
  printed lines (0.23 inch each), with 0.55 inch for a caption and source, over a 9-inch page.

>>> [(round(v, 2), d) for v, d in numbers_in("Youth unemployment rose from 6.8% in 2019 to 8.5% (2021); 3 options.")]
[(6.8, 1), (8.5, 1)]
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

WORDS_PER_PAGE = 450   # 11 pt body text on A4/Letter with 1-inch margins, headings and spacing included
PAGE_IN = 9.0          # usable height of a page
CAPTION_IN = 0.55      # a caption and a source line
TABLE_LINE_IN = 0.23   # one printed line in a table (9.5 pt with cell padding)
LAYOUT = 1.1           # space lost where a chart or table moves to the next page (measured, docs/brief.md)
MIN_PAGES, MAX_PAGES = 2.0, 4.0
_NUMBER = re.compile(r"(?<![\w.])[-−]?\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w])|(?<![\w.])[-−]?\d+(?:\.\d+)?(?![\w])")
_UNCERTAINTY = re.compile(r"confidence|interval|\bCI\b|margin|±|\+/-|between .* and|range|from .* to|uncertain",
                          re.I)
_PLACEHOLDER = re.compile(r"^\s*(?:|tbd|todo|xxx|audience|\?+|-+)\s*$", re.I)


_LEVEL = re.compile(r"^\s*%\s*(?:CI\b|confidence)", re.I)
_AGES = re.compile(r"(?<![\d.])\d{1,2}\s*(?:-|–|to)\s*\d{1,2}(?![\d.%])|(?<![\d.])\d{1,2}\s*\+")


def numbers_in(text: str, statistics_only: bool = False) -> list[tuple[float, int]]:
    """Numbers written in ``text`` with their decimals, leaving out years (1900–2100), whole numbers up to 12
    (counts and list numbers), age bands ('15-24', '25+') and confidence levels ('95% CI'). With
    ``statistics_only``, only numbers written with decimals or a % sign (a proposal's '50,000 places' is a
    target, not a statistic)."""
    text = text or ""
    ages = [m.span() for m in _AGES.finditer(text)]
    out = []
    for m in _NUMBER.finditer(text):
        if any(a <= m.start() < b for a, b in ages):
            continue
        raw = m.group(0).replace(",", "").replace("−", "-")
        value = float(raw)
        decimals = len(raw.split(".")[1]) if "." in raw else 0
        after = text[m.end():]
        if _LEVEL.match(after):
            continue
        if decimals == 0 and (abs(value) <= 12 or 1900 <= value <= 2100):
            continue
        if statistics_only and decimals == 0 and not after.lstrip().startswith("%"):
            continue
        out.append((value, decimals))
    return out


def matches(value: float, decimals: int, shown: list[float]) -> bool:
    """True when some figure in ``shown`` rounds to ``value`` at ``decimals`` (a percentage may be a share)."""
    tol = 0.5 * 10 ** (-decimals) + 1e-9
    for v in shown:
        if abs(v - value) <= tol or abs(abs(v) - abs(value)) <= tol:
            return True
        if abs(v * 100 - value) <= tol:  # a share written as a percentage
            return True
    return False


@dataclass
class Check:
    """One line of the checklist: ``name``, ``ok``, ``message`` in plain words, ``details`` (what to fix)."""

    name: str
    ok: bool
    message: str
    details: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"name": self.name, "ok": self.ok, "message": self.message, "details": list(self.details)}


def sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?;])\s+", text or "") if s.strip()]
