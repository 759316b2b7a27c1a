"""The evidence board: charts, tables, estimates, reconciliations and quotations, each with its citation.

A board is saved and restored as JSON (schema ``evidencekit.board``, version 1; written out in
``docs/brief.md``). A chart item keeps the rendered PNG (base64) with its title, alt text, source line and the
figures plotted, so a restored board still exports a brief without matplotlib redrawing anything; nothing is
pickled, and loading checks every field before using it.

>>> import evidencekit as ek
>>> df = ek.ilostat.get("SDG_0852_SEX_AGE_RT_A", ref_area="PHL", sex="SEX_T", classif1="AGE_YTHADULT_YGE15",
...                     start=2019, end=2021, offline=True, labels=True)
>>> board = EvidenceBoard()
>>> item = board.add_table(df, "Unemployment, Philippines")
>>> item.id, item.type, item.content["table"]["columns"]
('E1', 'table', ['Area', 'Year', 'Value'])
>>> EvidenceBoard.from_json(board.to_json()).items[0].citation == df.attrs["provenance"]["citation"]
True
"""
from __future__ import annotations

import base64
import binascii
import io
import json
import math
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from evidencekit import provenance
from evidencekit.errors import InputError

SCHEMA = "evidencekit.board"
VERSION = 1
TYPES = ("chart", "table", "estimate", "reconcile", "quote")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_PNG_BYTES = 20 * 1024 * 1024
MAX_TABLE_ROWS = 500

# Column names shown in tables (ILOSTAT codes and compare's columns in words).
COLUMN_WORDS = {
    "ref_area.label": "Area", "ref_area": "Area", "sex.label": "Sex", "sex": "Sex", "time": "Year",
    "obs_value": "Value", "source.label": "Source", "rank": "Rank", "benchmark": "Benchmark",
    "difference": "Difference", "change": "Change", "change_pct": "Change (%)", "growth_pa": "Growth a year (%)",
    "index": "Index", "gap": "Gap", "ratio": "Ratio", "value_a": "Group A", "value_b": "Group B",
    "real_value": "Real value", "flags": "Notes", "start_value": "Start", "end_value": "End", "years": "Years",
    "estimate": "Estimate", "ci_low": "CI low", "ci_high": "CI high", "n_obs": "Observations",
    "figure": "Series", "value": "Value", "definition": "Definition", "period": "Period", "chosen": "Chosen",
}
_LABELLED = ("ref_area", "sex", "classif1", "classif2", "source")
_ORDER = ("ref_area.label", "ref_area", "sex.label", "sex", "classif1.label", "classif1", "classif2.label",
          "classif2", "time", "obs_value", "start_value", "end_value", "change", "change_pct", "growth_pa", "index",
          "real_value", "value_a", "value_b", "gap", "ratio", "rank", "benchmark", "difference", "flags")


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def jsonable(v: object) -> object:
    """A cell as a JSON value: numbers stay numbers, missing values become null, dates ISO text."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return None if math.isnan(float(v)) or math.isinf(float(v)) else float(v)
    if isinstance(v, (pd.Timestamp, datetime, date)):
        return v.isoformat()
    return str(v)


def table_json(df: pd.DataFrame, columns: list[str] | None = None, names: dict | None = None) -> dict:
    """``{"columns": [...], "rows": [[...], ...]}`` of ``df`` (chosen columns, readable names, JSON values)."""
    cols = columns or list(df.columns)
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise InputError("Adding a table to the board", f"there is no column {', '.join(map(repr, missing))}",
                         f"choose among: {', '.join(map(str, df.columns))}")
    if len(df) > MAX_TABLE_ROWS:
        raise InputError("Adding a table to the board", f"it has {len(df)} rows; a brief's table holds at most "
                         f"{MAX_TABLE_ROWS}", "filter or summarise it first (e.g. compare.across for one year)")
    names = names or {}
    shown = [names.get(c, COLUMN_WORDS.get(c, _word(c))) for c in cols]
    rows = [[jsonable(v) for v in row] for row in df[cols].itertuples(index=False, name=None)]
    return {"columns": shown, "rows": rows}


def _word(col: str) -> str:
    if col.startswith("classif") and col.endswith(".label"):
        return "Group"
    return col.replace(".label", "").replace("_", " ").capitalize()


def display_columns(df: pd.DataFrame) -> list[str]:
    """The columns a brief's table shows by default: labels instead of codes, values and comparison columns,
    dimensions that hold one value left out (they go in the caption), no internal or note-code columns."""
    cols = []
    for c in _ORDER:
        if c not in df.columns:
            continue
        base = c.removesuffix(".label")
        if c == base and f"{base}.label" in df.columns and base in _LABELLED:
            continue  # the label is shown instead
        if base in ("sex", "classif1", "classif2") and df[c].nunique(dropna=False) <= 1 and len(df) > 1:
            continue
        if c == "flags" and not df[c].fillna("").astype(str).str.len().gt(0).any():
            continue
        cols.append(c)
    if not cols:
        cols = [c for c in df.columns if not str(c).startswith("_")][:8]
    return cols


def _reconcile_table(t: pd.DataFrame, choice: pd.DataFrame, decimals: int) -> tuple[dict, list[dict]]:
    """A reconciliation as a brief shows it: one row per period, one column per series (value, with its
    confidence interval where there is one), and the series chosen; plus one description per series."""
    from evidencekit.brief.render import cell
    from evidencekit.compare._frames import interval

    names = list(dict.fromkeys(t["figure"]))
    chosen = dict(zip(choice["time"].astype(str), choice["figure"]))
    rows = []
    for time, part in t.groupby("time", sort=False):
        row = [str(time)]
        for name in names:
            hit = part[part["figure"] == name]
            if hit.empty:
                row.append(None)
                continue
            r = hit.iloc[0]
            text = cell(jsonable(r["value"]), decimals)
            if pd.notna(r["ci_low"]) and pd.notna(r["ci_high"]):
                text += f" ({interval(cell(float(r['ci_low']), decimals), cell(float(r['ci_high']), decimals))})"
            row.append(text)
        pick = chosen.get(str(time)[:4], "none")
        row.append(pick if pick in set(part["figure"]) else None)
        rows.append(row)
    series = []
    for name in names:
        r = t[t["figure"] == name].iloc[0]
        series.append({"series": name, "kind": str(r["kind"]), "source": str(r["source_label"] or ""),
                       "computed_by": str(r["computed_by"]), "definition": str(r["definition"]),
                       "coverage": str(r["coverage"]), "vintage": str(r["vintage"])})
    return {"columns": ["Year"] + names + ["Chosen"], "rows": rows}, series


def _notes(notes: object) -> list[str]:
    """A frame's notes as a list of lines (a single text is one line)."""
    if not notes:
        return []
    if isinstance(notes, str):
        return [notes]
    return [str(n) for n in notes]


def _age_word(df: pd.DataFrame) -> dict:
    names = {}
    for c in ("classif1.label", "classif2.label", "classif1", "classif2"):
        if c in df.columns and df[c].astype(str).str.contains("Age|AGE_", regex=True).all():
            names[c] = "Age"
    return names


@dataclass
class Item:
    """One piece of evidence: ``type`` (chart, table, estimate, reconcile, quote), ``caption``, ``citation``,
    ``source_line``, ``provenance`` and the ``content`` for its type (see ``docs/brief.md``)."""

    id: str
    type: str
    caption: str
    citation: str
    source_line: str
    provenance: dict
    content: dict
    created: str = field(default_factory=_now)

    def to_dict(self) -> dict:
        return {"id": self.id, "type": self.type, "caption": self.caption, "citation": self.citation,
                "source_line": self.source_line, "provenance": self.provenance, "created": self.created,
                "content": self.content}

    @property
    def png(self) -> bytes | None:
        """The chart's PNG bytes (charts only)."""
        return base64.b64decode(self.content["png"]) if self.type == "chart" else None

    def drawn_wrongly(self) -> str:
        """Why this chart's picture may show wrong numbers, or "": see :func:`drawn_wrongly`."""
        return drawn_wrongly(self.content, self.id) if self.type == "chart" else ""

    def numbers(self) -> list[float]:
        """Every number this item shows (table cells, estimates and CIs, chart data, quotation figures)."""
        out: list[float] = []
        tables = [self.content.get("table"), self.content.get("data"), self.content.get("values")]
        for t in tables:
            for row in (t or {}).get("rows", []):
                out.extend(float(v) for v in row if isinstance(v, (int, float)) and not isinstance(v, bool))
        if self.type == "quote":
            from evidencekit.brief.checks import numbers_in

            out.extend(v for v, _ in numbers_in(self.content.get("text", "")))
        return out


def drawn_wrongly(content: dict, name: str) -> str:
    """Why the picture of a chart item (its ``content``; ``name``: its id, as said) may show wrong numbers, or ""
    when it is drawn by the current rules: a line chart kept before drawing rules 2 (``charts.STYLE``,
    2026-12-03) whose figures reach 90 showed whole value ticks without their zeros (100 as "1", 60,000 as
    "60,"). The figures kept with it are right; the picture is not.

    >>> drawn_wrongly({"kind": "line", "data": {"columns": ["time", "obs_value"], "rows": [["2019", 100.0]]}},
    ...               "E1")[:39]
    'E1 was drawn by an earlier evidencekit '
    >>> drawn_wrongly({"kind": "line", "data": {"columns": ["time", "obs_value"], "rows": [["2019", 8.5]]}}, "E1")
    ''
    """
    if content.get("style", 1) >= 2 or content.get("kind") not in ("line", None):
        return ""
    data = content.get("data") or {}
    cols = [i for i, col in enumerate(data.get("columns") or []) if str(col).lower() not in ("time", "year")]
    values = [abs(r[i]) for r in data.get("rows") or [] for i in cols
              if i < len(r) and isinstance(r[i], (int, float)) and not isinstance(r[i], bool)]
    if values and max(values) < 90:
        return ""
    return (f"{name} was drawn by an earlier evidencekit whose line charts showed some numbers on the value axis "
            "without their zeros (100 as '1', 60,000 as '60,'): add the chart to your board again from where you "
            "made it, and remove this one.")


class JsonFile:
    """JSON in and out for a document that has ``to_dict`` and ``from_dict(data, where)``: ``to_json``,
    ``from_json``, ``save`` (written beside and renamed into place) and ``load``; ``NOUN`` names it in messages."""

    NOUN = "document"
    TITLE = "The document"

    def to_json(self, indent: int | None = 1) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | bytes, where: str | None = None):
        where = where or cls.TITLE
        try:
            data = json.loads(text)
        except (ValueError, TypeError) as err:
            raise InputError(where, f"is not valid JSON ({err})", f"open a {cls.NOUN} saved by evidencekit") from None
        return cls.from_dict(data, where)

    def save(self, path: str | Path) -> Path:
        return _write_text(Path(path), self.to_json())

    @classmethod
    def load(cls, path: str | Path):
        return cls.from_json(_read_text(Path(path)), f"The {cls.NOUN} file {str(path)!r}")


class EvidenceBoard(JsonFile):
    """Evidence saved while working, each item with its citation; JSON in and out (see the module doc)."""

    NOUN, TITLE = "board", "The evidence board"

    def __init__(self, items: Iterable[Item] = ()) -> None:
        self.items: list[Item] = list(items)

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self):
        return iter(self.items)

    def get(self, item_id: str) -> Item:
        for it in self.items:
            if it.id == item_id:
                return it
        raise InputError(f"The evidence item {item_id!r}", "is not on the board",
                         f"the board holds: {', '.join(i.id for i in self.items) or 'nothing yet'}")

    def remove(self, item_id: str) -> None:
        self.items.remove(self.get(item_id))

    def _next_id(self) -> str:
        used = {i.id for i in self.items}
        n = len(self.items) + 1
        while f"E{n}" in used:
            n += 1
        return f"E{n}"

    def _add(self, type_: str, caption: str, prov: dict, content: dict) -> Item:
        rec = provenance.normalise(prov, "The evidence's provenance")
        item = Item(id=self._next_id(), type=type_, caption=" ".join(str(caption or "").split()),
                    citation=" ".join(rec["citation"].split()), source_line=provenance.source_line(rec),
                    provenance=json.loads(json.dumps(rec, default=str)), content=content)
        self.items.append(item)
        return item

    # -- adding evidence ------------------------------------------------------------------------------------
    def add_chart(self, fig, caption: str = "", *, dpi: int = 150) -> Item:
        """A chart made by :mod:`evidencekit.charts`, kept as PNG with its alt text, source and data."""
        from evidencekit import charts

        meta = charts.info(fig)
        buf = io.BytesIO()
        # zlib level 1: a 1100-px line chart kept in 116 ms instead of 183 (level 6), for a file 6% larger (96
        # against 91 KB); the workbench keeps one for every new choice of a participant (bench/README.md, "Load")
        fig.savefig(buf, format="png", dpi=dpi, facecolor="white", pil_kwargs={"compress_level": 1})
        data = meta.data
        keep = [c for c in data.columns if not str(c).startswith("_")][:12]
        content = {"kind": meta.kind, "title": meta.title, "subtitle": meta.subtitle, "alt_text": meta.alt_text,
                   "png": base64.b64encode(buf.getvalue()).decode("ascii"), "style": charts.STYLE,
                   "data": table_json(data.head(MAX_TABLE_ROWS), keep, names={c: c for c in keep})}
        return self._add("chart", caption or meta.title, meta.provenance, content)

    def add_chart_png(self, path: str | Path, caption: str = "") -> Item:
        """A chart saved by :func:`evidencekit.charts.save` as PNG (its description and provenance inside)."""
        from evidencekit import charts

        record = charts.read_png_info(path)
        png = Path(path).read_bytes()
        content = {"kind": record.get("kind"), "title": record.get("title", ""), "subtitle": record.get("subtitle", ""),
                   "alt_text": record.get("alt_text", ""), "png": base64.b64encode(png).decode("ascii"),
                   "style": record.get("style", 1), "data": {"columns": [], "rows": []}}
        return self._add("chart", caption or record.get("title", ""), record["provenance"], content)

    def add_table(self, df: pd.DataFrame, caption: str = "", *, columns: list[str] | None = None,
                  names: dict | None = None, decimals: int = 1, title: str | None = None) -> Item:
        """A table (any evidencekit frame: ILOSTAT figures, a comparison): readable columns, with its citation.

        ``columns`` chooses and orders the columns (default: :func:`display_columns`); ``names`` renames them.
        """
        prov = provenance.of(df, "The table")
        cols = columns or display_columns(df)
        content = {"title": title or "", "decimals": int(decimals),
                   "table": table_json(df, cols, {**_age_word(df), **(names or {})}),
                   "notes": _notes(df.attrs.get("notes"))}
        return self._add("table", caption, prov, content)

    def add_estimate(self, est: pd.DataFrame, caption: str = "", *, decimals: int = 1) -> Item:
        """Survey estimates with their confidence intervals (``ek.indicators.estimate`` output)."""
        for c in ("estimate", "ci_low", "ci_high"):
            if c not in est.columns:
                raise InputError("Adding an estimate to the board", f"there is no {c!r} column",
                                 "pass the frame ek.indicators.estimate(...) returned")
        prov = provenance.of(est, "The estimate")
        from evidencekit.compare._frames import estimate_flags, estimate_groups

        by = estimate_groups(est)
        gap = {"a_label", "b_label"} <= set(est.columns)
        cols = (["label"] if "label" in est.columns else []) + (["a_label", "b_label"] if gap else []) + by + \
            ["estimate", "ci_low", "ci_high"] + (["n_obs"] if "n_obs" in est.columns else [])
        level = prov.get("level") or (est.attrs.get("ci") or {}).get("level") or 0.95
        names = {"label": "Indicator", "a_label": "Group A", "b_label": "Group B",
                 **{c: c.removeprefix("ilo_").replace("_", " ").capitalize() for c in by}}
        if gap:
            names["estimate"] = "Gap (A − B)"
        said: dict[str, list[str]] = {}  # each flag once, with the groups it applies to (all: none named)
        for i, text in estimate_flags(est).items():
            r = est.loc[i]
            who = " · ".join(str(r[c]) for c in by if pd.notna(r[c])) or str(r.get("label", ""))
            for f in filter(None, text.split("; ")):
                if who not in said.setdefault(f, []):
                    said[f].append(who)
        flags = [f if not by or len(who) == len(est) else f"{', '.join(who)}: {f}" for f, who in said.items()]
        table = table_json(est, cols, names)
        table["together"] = [cols.index(c) for c in ("estimate", "ci_low", "ci_high")]  # one precision a row
        content = {"level": float(level), "decimals": int(decimals), "table": table,
                   "unit": str(est["unit"].iloc[0]) if "unit" in est.columns and len(est) else "", "notes": flags}
        return self._add("estimate", caption, prov, content)

    def add_reconcile(self, rec, caption: str = "", *, decimals: int = 1) -> Item:
        """A :class:`evidencekit.compare.Reconciliation`: the figures side by side, what differs, the choice."""
        from evidencekit.compare import Reconciliation

        if not isinstance(rec, Reconciliation):
            raise InputError("Adding a reconciliation to the board", f"got a {type(rec).__name__}",
                             "pass what evidencekit.compare.reconcile(...) returned")
        t = rec.to_frame()
        wide, series = _reconcile_table(t, rec.choice, decimals)
        d = rec.differences[rec.differences["aspect"] != "value"]
        whats = []
        for (aspect, detail, why), g in d.groupby(["aspect", "detail", "explanation"], sort=False):
            whats.append({"aspect": aspect, "years": ", ".join(g["time"]), "detail": detail, "explanation": why})
        values = {"columns": ["value", "ci_low", "ci_high"],
                  "rows": [[jsonable(v) for v in r] for r in t[["value", "ci_low", "ci_high"]].itertuples(index=False)]}
        content = {"decimals": int(decimals), "table": wide, "values": values, "series": series,
                   "indicator": rec.indicator, "ref_area": rec.ref_area, "text": rec.text(), "differences": whats,
                   "rule": dict(rec.rule), "choice": table_json(rec.choice, ["time", "figure", "value", "reason"]),
                   "notes": list(rec.notes)}
        return self._add("reconcile", caption or f"{rec.indicator}, {rec.ref_area}: the figures side by side",
                         rec.provenance, content)

    def add_quote(self, text: str, source: str, caption: str = "", *, speaker: str | None = None,
                  context: str | None = None) -> Item:
        """A quotation from qualitative evidence (a focus group, an interview); ``source`` says where it was
        recorded (who, where, when), in the user's words."""
        words = " ".join(str(text or "").split())
        if not words:
            raise InputError("Adding a quotation", "the quotation is empty", "type the words quoted")
        prov = provenance.user(source, note=context)
        content = {"text": words, "speaker": speaker or "", "context": context or ""}
        return self._add("quote", caption, prov, content)

    # -- JSON -------------------------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        return {"schema": SCHEMA, "version": VERSION, "items": [i.to_dict() for i in self.items]}

    @classmethod
    def from_dict(cls, data: object, where: str = "The evidence board") -> "EvidenceBoard":
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            raise InputError(where, "is not an evidencekit evidence board (schema 'evidencekit.board' missing)",
                             "open a board saved by evidencekit")
        if data.get("version") != VERSION:
            raise InputError(where, f"has version {data.get('version')!r}; this evidencekit reads version {VERSION}",
                             "update evidencekit, or save the board again")
        items = data.get("items")
        if not isinstance(items, list):
            raise InputError(where, "has no list of items", "open a board saved by evidencekit")
        return cls(_item_from_dict(raw, f"{where}, item {n}") for n, raw in enumerate(items, start=1))


def _item_from_dict(raw: object, where: str) -> Item:
    if not isinstance(raw, dict):
        raise InputError(where, "is not an object", "open a board saved by evidencekit")
    for key, kind in (("id", str), ("type", str), ("caption", str), ("citation", str), ("content", dict),
                      ("provenance", dict)):
        if not isinstance(raw.get(key), kind):
            raise InputError(where, f"has no valid {key!r}", "open a board saved by evidencekit")
    if raw["type"] not in TYPES:
        raise InputError(where, f"has the unknown type {raw['type']!r}", f"items are one of: {', '.join(TYPES)}")
    prov = provenance.normalise(raw["provenance"], f"{where}, provenance")
    content = raw["content"]
    if raw["type"] == "chart":
        try:
            png = base64.b64decode(str(content.get("png", "")), validate=True)
        except (binascii.Error, ValueError):
            raise InputError(where, "holds a chart whose picture is damaged", "add the chart again") from None
        if not png.startswith(PNG_SIGNATURE) or len(png) > MAX_PNG_BYTES:
            raise InputError(where, "holds a chart that is not a PNG picture", "add the chart again")
        for key in ("title", "alt_text"):
            if not isinstance(content.get(key), str):
                raise InputError(where, f"holds a chart without {key}", "add the chart again")
    if raw["type"] in ("table", "estimate", "reconcile"):
        t = content.get("table")
        if not (isinstance(t, dict) and isinstance(t.get("columns"), list) and isinstance(t.get("rows"), list)
                and all(isinstance(r, list) and len(r) == len(t["columns"]) for r in t["rows"])):
            raise InputError(where, "holds a table whose rows do not match its columns", "add the table again")
        for row in t["rows"]:
            for v in row:
                if not (v is None or isinstance(v, (str, int, float, bool))):
                    raise InputError(where, "holds a table cell that is not text or a number", "add it again")
    if raw["type"] == "quote" and not isinstance(content.get("text"), str):
        raise InputError(where, "holds a quotation without text", "add the quotation again")
    return Item(id=raw["id"], type=raw["type"], caption=raw["caption"], citation=raw["citation"],
                source_line=str(raw.get("source_line") or provenance.source_line(prov)), provenance=prov,
                content=content, created=str(raw.get("created") or _now()))


def _write_text(path: Path, text: str) -> Path:
    tmp = path.with_name(f".{path.name}.part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise InputError(f"Writing {path}", str(err), "choose a folder you can write to") from None
    return path


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"The file {str(path)!r}", "does not exist", "check the name, or create it with "
                         "evidencekit brief new") from None
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"The file {str(path)!r}", f"cannot be read ({err})", "check the file") from None
