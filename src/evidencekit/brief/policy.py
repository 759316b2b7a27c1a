"""The policy brief: title, audience, problem, key messages, evidence, options, recommendations, references.

One list of blocks (:meth:`PolicyBrief.blocks`) is what every format renders, so the Word document, the
Markdown and the HTML say the same thing in the same order (``docs/brief.md``).

>>> from evidencekit.brief.board import EvidenceBoard
>>> b = PolicyBrief(title="Youth jobs", audience="Adviser to the Minister of Labour", problem="Too few jobs.",
...                 key_messages=["Act now."], recommendations=["Fund apprenticeships."], board=EvidenceBoard())
>>> [c.name for c in b.check() if not c.ok]
['structure', 'recommendations_tied', 'length']
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from evidencekit import provenance
from evidencekit.brief import checks as C
from evidencekit.brief.board import EvidenceBoard, Item, JsonFile, _write_text
from evidencekit.errors import InputError

SCHEMA = "evidencekit.brief"


def chart_ratio(item: Item) -> float:
    """Height / width of a chart item's picture (from the PNG header)."""
    png = item.png or b""
    if len(png) >= 24:
        w, h = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
        if w:
            return h / w
    return 0.5625
VERSION = 1
_REF = re.compile(r"\s*\[((?:E\d+)(?:\s*,\s*E\d+)*)\]\s*$")
_CITE = re.compile(r"\[\s*(E\d+(?:\s*,\s*E\d+)*)\s*\]")


@dataclass
class Point:
    """A policy option or a recommendation, with the evidence items (ids such as ``"E1"``) it rests on."""

    text: str
    evidence: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, value: "Point | str | dict") -> "Point":
        """A Point from itself, a dict (text, evidence) or text ending in ``[E1, E2]``."""
        if isinstance(value, Point):
            return value
        if isinstance(value, dict):
            return cls(str(value.get("text", "")).strip(), [str(e) for e in value.get("evidence") or []])
        text = str(value)
        m = _REF.search(text)
        if m:
            return cls(text[: m.start()].strip(), [e.strip() for e in m.group(1).split(",")])
        return cls(text.strip(), [])

    def to_dict(self) -> dict:
        return {"text": self.text, "evidence": list(self.evidence)}


Option = Point
Recommendation = Point


@dataclass
class PolicyBrief(JsonFile):
    """A policy brief built on an :class:`EvidenceBoard`.

    ``evidence``: the ids of the board's items to include, in order (default: all of them). Options and
    recommendations are :class:`Point` (text + evidence ids), dicts, or text ending in ``[E1, E2]``.
    """

    NOUN, TITLE = "brief", "The brief"
    title: str
    audience: str
    problem: str = ""
    key_messages: list[str] = field(default_factory=list)
    board: EvidenceBoard = field(default_factory=EvidenceBoard)
    evidence: list[str] | None = None
    policy_options: list = field(default_factory=list)
    recommendations: list = field(default_factory=list)
    author: str = ""
    date: str = field(default_factory=lambda: date.today().isoformat())

    def __post_init__(self) -> None:
        self.key_messages = [str(m).strip() for m in self.key_messages if str(m).strip()]
        self.policy_options = [Point.parse(o) for o in self.policy_options]
        self.recommendations = [Point.parse(r) for r in self.recommendations]
        if not isinstance(self.board, EvidenceBoard):
            raise InputError("Making a policy brief", "board= is not an EvidenceBoard",
                             "pass evidencekit.brief.EvidenceBoard() with the evidence items")

    # -- what the brief holds -------------------------------------------------------------------------------
    def items(self) -> list[Item]:
        """The evidence items in the brief, in order."""
        if self.evidence is None:
            return list(self.board.items)
        return [self.board.get(i) for i in self.evidence]

    def numbering(self) -> dict[str, str]:
        """'E1' -> 'Figure 1', 'E2' -> 'Table 1', 'E5' -> 'Quotation 1' (as the brief names them)."""
        counters = {"Figure": 0, "Table": 0, "Quotation": 0}
        out = {}
        for it in self.items():
            kind = "Figure" if it.type == "chart" else "Quotation" if it.type == "quote" else "Table"
            counters[kind] += 1
            out[it.id] = f"{kind} {counters[kind]}"
        return out

    def references(self) -> list[str]:
        """Every item's citation (the original sources of derived figures), each once."""
        return provenance.references(it.provenance for it in self.items())

    def synthetic(self) -> bool:
        return any(provenance.is_synthetic(it.provenance) for it in self.items())

    def _refs(self, point: Point) -> str:
        names = self.numbering()
        named = [names.get(e, e) for e in point.evidence]
        return f" (evidence: {', '.join(named)})" if named else ""

    def cited(self, text: str) -> str:
        """``text`` with each citation of the board's ids written as the brief names the items: 'it was 4.2%
        [E4]' -> 'it was 4.2% (Table 2)'. A reader sees Figure 1 and Table 2 in the brief, never E1 or E4; an id
        not in the brief is left as typed (the checklist names it)."""
        names = self.numbering()

        def one(m: re.Match) -> str:
            ids = [e.strip() for e in m.group(1).split(",")]
            return f"({', '.join(names[e] for e in ids)})" if all(e in names for e in ids) else m.group(0)

        return _CITE.sub(one, text)

    def blocks(self) -> list[tuple]:
        """The brief as an ordered list of blocks every format renders:
        ``("title", text)``, ``("meta", text)``, ``("heading", text)``, ``("para", text)``,
        ``("bullets", [text])``, ``("numbered", [text])``, ``("item", Item, label)``, ``("note", text)``,
        ``("references", [text])``."""
        out: list[tuple] = [("title", self.title)]
        meta = f"For: {self.audience}" + (f" · By: {self.author}" if self.author else "") + \
            (f" · {self.date}" if self.date else "")
        out.append(("meta", meta))
        if self.synthetic():
            out.append(("note", "Practice brief: some figures come from the SYNTHETIC training survey of a fictional "
                                "country. They describe no real country."))
        if self.problem:
            out += [("heading", "The problem"), ("para", self.cited(self.problem))]
        if self.key_messages:
            out += [("heading", "Key messages"), ("bullets", [self.cited(m) for m in self.key_messages])]
        items = self.items()
        if items:
            out.append(("heading", "The evidence"))
            names = self.numbering()
            for it in items:
                out.append(("item", it, names[it.id]))
        if self.policy_options:
            out += [("heading", "Policy options"),
                    ("numbered", [self.cited(o.text) + self._refs(o) for o in self.policy_options])]
        if self.recommendations:
            out += [("heading", "Recommendations"),
                    ("numbered", [self.cited(r.text) + self._refs(r) for r in self.recommendations])]
        refs = self.references()
        if refs:
            out += [("heading", "References"), ("references", refs)]
        return out

    # -- checks ----------------------------------------------------------------------------------------------
    def words(self) -> int:
        """Words of text the brief prints outside tables and charts (headings, text, captions, notes under
        tables, quotations, source lines, references), each paragraph counted at least a line (10 words)."""
        from evidencekit.brief.render import _extra_lines

        def para(text: str) -> int:
            return max(10, len(str(text).split()))

        n = 0
        for b in self.blocks():
            if b[0] == "item":
                it = b[1]
                n += para(it.caption) + para(it.source_line)
                if it.type == "quote":
                    n += para(it.content.get("text", ""))
                n += sum(para(line) for line in _extra_lines(it))
            elif isinstance(b[1], list):
                n += sum(para(x) for x in b[1])
            else:
                n += para(b[1])
        return n

    def pages(self, image_width_in: float = 6.0) -> float:
        """Estimated pages (rule in ``docs/brief.md``): words / 450, plus each chart's height at 6 inches wide
        with its caption, plus each table's printed lines, over a 9-inch text page."""
        from evidencekit.brief.render import _rows, table_lines

        est = self.words() / C.WORDS_PER_PAGE
        for it in self.items():
            if it.type == "chart":
                est += (image_width_in * chart_ratio(it) + C.CAPTION_IN) / C.PAGE_IN
            elif it.type in ("table", "estimate", "reconcile"):
                cols, rows = _rows(it)
                est += (table_lines(cols, rows) * C.TABLE_LINE_IN + C.CAPTION_IN) / C.PAGE_IN
        return round(est * C.LAYOUT, 1)

    def check(self) -> list[C.Check]:
        """The checklist (see :mod:`evidencekit.brief.checks`): one :class:`Check` per rule."""
        out = []
        aud = not C._PLACEHOLDER.match(self.audience or "")
        out.append(C.Check("audience", aud, f"Audience: {self.audience}." if aud else
                           "No audience named: say who will read the brief (e.g. 'Adviser to the Minister of "
                           "Labour')."))
        missing = [name for name, have in (("the problem", bool(self.problem.strip())),
                                           ("a key message", bool(self.key_messages)),
                                           ("a policy option", bool(self.policy_options)),
                                           ("a recommendation", bool(self.recommendations))) if not have]
        out.append(C.Check("structure", not missing, "Problem, key messages, options and recommendations are all "
                           "there." if not missing else "Missing: " + ", ".join(missing) + ".", missing))
        items = self.items()
        shown = [v for it in items for v in it.numbers()]
        texts = [("problem", self.problem)] + [(f"key message {i}", m) for i, m in enumerate(self.key_messages, 1)] \
            + [(f"option {i}", o.text) for i, o in enumerate(self.policy_options, 1)] \
            + [(f"recommendation {i}", r.text) for i, r in enumerate(self.recommendations, 1)]

        def nums(where: str, text: str) -> list[tuple[float, int]]:
            return C.numbers_in(text, statistics_only=where.startswith(("option", "recommendation")))

        unsourced = [f"{where}: {v:g}" for where, text in texts for v, d in nums(where, text)
                     if not C.matches(v, d, shown)]
        n_numbers = sum(len(nums(w, t)) for w, t in texts)
        out.append(C.Check("numbers_sourced", not unsourced,
                           ("No figures are quoted in the text." if not n_numbers else
                            f"All {n_numbers} numbers in the text are shown by the evidence, with its source.") if not
                           unsourced else f"{len(unsourced)} number(s) in the text are not shown by any evidence item: "
                           "add the evidence to the brief, or correct the number.", unsourced))
        estimates = [it for it in items if it.type == "estimate"]
        loose = []
        for it in estimates:
            table = it.content["table"]
            col = table["columns"].index("Estimate") if "Estimate" in table["columns"] else None
            values = [float(r[col]) for r in table["rows"] if col is not None and isinstance(r[col], (int, float))]
            for where, text in texts:
                for sent in C.sentences(text):
                    nums = C.numbers_in(sent)
                    if any(C.matches(v, d, values) for v, d in nums) and not C._UNCERTAINTY.search(sent):
                        loose.append(f"{where}: '{sent}'")
        if estimates:
            msg = ("Survey estimates are shown with their confidence intervals, and the text gives them with their "
                   "range." if not loose else "A sentence quotes a survey estimate without its range: add the "
                   "confidence interval (e.g. '4.2% (95% CI 3.7–4.7)').")
        else:
            msg = "No survey estimate in the brief: published figures are shown with ILOSTAT's flags and notes."
        out.append(C.Check("uncertainty", not loose, msg, loose))
        ids = {it.id for it in items}
        untied = [f"recommendation {i}: {r.text[:60]}" for i, r in enumerate(self.recommendations, 1)
                  if not r.evidence or not set(r.evidence) <= ids]
        out.append(C.Check("recommendations_tied", bool(self.recommendations) and not untied,
                           "Each recommendation names the evidence it rests on." if self.recommendations and not untied
                           else "Tie each recommendation to evidence items of the brief (e.g. 'Fund apprenticeships "
                           "[E1, E3]')." if untied else "There is no recommendation yet.", untied))
        unknown = [f"{where}: {m.group(0)}" for where, text in texts for m in _CITE.finditer(text)
                   if not {e.strip() for e in m.group(1).split(",")} <= ids]
        unknown += [f"option {i}: [{', '.join(o.evidence)}]" for i, o in enumerate(self.policy_options, 1)
                    if not set(o.evidence) <= ids]
        if unknown:  # said only when it happens: the brief would print the id, which names nothing it shows
            out.append(C.Check("citations_found", False, f"{len(unknown)} citation(s) name evidence that is not in "
                               "the brief: add the item to the brief's evidence, or correct the number.", unknown))
        wrong = [why for it in items if (why := it.drawn_wrongly())]
        if wrong:  # said only when it happens: a chart kept before a fix of the drawing rules
            out.append(C.Check("charts_drawn_right", False, f"{len(wrong)} chart(s) were drawn by an earlier "
                               "evidencekit and may show wrong numbers on their axis: add them again.", wrong))
        pages = self.pages()
        ok = C.MIN_PAGES <= pages <= C.MAX_PAGES
        out.append(C.Check("length", ok, f"About {pages:g} pages ({self.words()} words, {len(items)} evidence items); "
                           f"a policy brief is usually {C.MIN_PAGES:g}–{C.MAX_PAGES:g} pages." +
                           ("" if ok else " Shorten it." if pages > C.MAX_PAGES else " Add substance or evidence.")))
        return out

    # -- formats ---------------------------------------------------------------------------------------------
    def to_docx(self, path: str | Path, *, image_width_in: float = 6.0) -> Path:
        """Write the brief as a Word document (headings, charts, tables, references)."""
        from evidencekit.brief.render import docx

        return docx(self, Path(path), image_width_in=image_width_in)

    def to_markdown(self, image_dir: str | Path | None = None) -> str:
        """The brief as Markdown; charts are written as PNG files into ``image_dir`` (else embedded)."""
        from evidencekit.brief.render import markdown

        return markdown(self, Path(image_dir) if image_dir else None)

    def to_html(self) -> str:
        """The brief as one self-contained HTML page (every text escaped; charts embedded)."""
        from evidencekit.brief.render import html

        return html(self)

    def write(self, path: str | Path) -> Path:
        """Write to ``.docx``, ``.md`` or ``.html`` by the file's extension."""
        p = Path(path)
        suffix = p.suffix.lower()
        if suffix == ".docx":
            return self.to_docx(p)
        if suffix == ".md":
            return _write_text(p, self.to_markdown(p.parent / f"{p.stem}_files"))
        if suffix in (".html", ".htm"):
            return _write_text(p, self.to_html())
        raise InputError(f"The output file {str(path)!r}", "has an extension the brief cannot be written to",
                         "end the name with .docx, .md or .html")

    # -- JSON -------------------------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        return {"schema": SCHEMA, "version": VERSION, "title": self.title, "audience": self.audience,
                "problem": self.problem, "key_messages": list(self.key_messages), "evidence": self.evidence,
                "policy_options": [o.to_dict() for o in self.policy_options],
                "recommendations": [r.to_dict() for r in self.recommendations], "author": self.author,
                "date": self.date, "board": self.board.to_dict()}

    @classmethod
    def from_dict(cls, data: object, where: str = "The brief") -> "PolicyBrief":
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            raise InputError(where, "is not an evidencekit brief (schema 'evidencekit.brief' missing)",
                             "open a brief saved by evidencekit (evidencekit brief new …)")
        if data.get("version") != VERSION:
            raise InputError(where, f"has version {data.get('version')!r}; this evidencekit reads version {VERSION}",
                             "update evidencekit")
        for key in ("title", "audience"):
            if not isinstance(data.get(key), str):
                raise InputError(where, f"has no {key}", "set it with evidencekit brief set")
        lists = {k: data.get(k) or [] for k in ("key_messages", "policy_options", "recommendations")}
        for k, v in lists.items():
            if not isinstance(v, list):
                raise InputError(where, f"{k} is not a list", "save the brief again")
        evidence = data.get("evidence")
        if evidence is not None and not (isinstance(evidence, list) and all(isinstance(e, str) for e in evidence)):
            raise InputError(where, "its evidence list is not a list of item ids", "save the brief again")
        board = EvidenceBoard.from_dict(data.get("board"), f"{where}, board")
        return cls(title=data["title"], audience=data["audience"], problem=str(data.get("problem") or ""),
                   key_messages=[str(m) for m in lists["key_messages"]], board=board, evidence=evidence,
                   policy_options=[Point.parse(o) for o in lists["policy_options"]],
                   recommendations=[Point.parse(r) for r in lists["recommendations"]],
                   author=str(data.get("author") or ""), date=str(data.get("date") or ""))
