"""``evidencekit brief new | add | set | show | build``: a policy brief kept in one JSON file.

Thin: each command loads the brief file, calls :mod:`evidencekit.brief`, saves, prints. Tables come from files
written by ``evidencekit get/estimate/chart --out/--data`` (their citation travels inside), charts from
``evidencekit chart --out x.png`` (or ``--add``), quotations are typed with their source.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from evidencekit.cli import common
from evidencekit.errors import InputError


def _unflatten(rows: list[tuple[str, str]]) -> dict:
    """``[("citation", ...), ("design.records", "45561")]`` -> nested dict, numbers and JSON read back."""
    out: dict = {}
    for key, value in rows:
        v: object = value
        text = str(value).strip()
        if text[:1] in "[{":
            try:
                v = json.loads(text)
            except ValueError:
                v = text
        elif text in ("True", "False"):
            v = text == "True"
        else:
            try:
                v = int(text) if text.lstrip("-").isdigit() else float(text) if text.replace(".", "", 1).lstrip(
                    "-").isdigit() else text
            except ValueError:
                v = text
        node = out
        parts = key.strip().split(".")
        for p in parts[:-1]:
            node = node.setdefault(p, {}) if isinstance(node.get(p, {}), dict) else {}
        node[parts[-1]] = v
    return out


def read_table(path: str | Path) -> pd.DataFrame:
    """A CSV/XLSX written by evidencekit (``--out``), its provenance rebuilt from the lines written with it."""
    from evidencekit import export

    p = Path(path)
    if not p.exists():
        raise InputError(f"The table file {str(path)!r}", "does not exist", "check the name")
    suffix = p.suffix.lower()
    if suffix == ".csv":
        df = export.read_csv(p)
        rows = []
        for line in df.attrs.pop("about", []):
            key, _, value = line.partition(": ")
            rows.append(("citation" if key.lower() == "citation" else key, value))
    elif suffix == ".xlsx":
        try:
            df = pd.read_excel(p, sheet_name="data")
            about = pd.read_excel(p, sheet_name="about")
        except (ValueError, OSError) as err:
            raise InputError(f"The table file {p.name!r}", f"is not an XLSX written by evidencekit ({err})",
                             "write it with evidencekit get/estimate … --out file.xlsx") from None
        rows = [(str(k), str(v).lstrip("'")) for k, v in zip(about["field"], about["value"])]
    else:
        raise InputError(f"The table file {p.name!r}", "is not .csv or .xlsx", "write it with --out file.csv")
    attrs = _unflatten(rows)
    citation = str(attrs.get("citation") or "")
    prov = {k: v for k, v in attrs.items() if k not in ("design", "ci", "icls_basis", "notes", "left_out",
                                                         "benchmark", "units", "unit", "indicator")}
    if citation and not citation.startswith("none recorded"):
        df.attrs["provenance"] = prov
    for key in ("design", "ci", "icls_basis", "notes", "unit", "indicator"):
        if key in attrs:
            df.attrs[key] = attrs[key]
    if "provenance" not in df.attrs and "design" not in df.attrs:
        raise InputError(f"The table file {p.name!r}", "carries no citation",
                         "write it with evidencekit get/estimate/chart … --out, which records where it comes from")
    return df


def _load(path: str):
    from evidencekit.brief import PolicyBrief

    return PolicyBrief.load(path)


def cmd_new(args, out) -> int:
    from evidencekit.brief import PolicyBrief

    p = Path(args.file)
    if p.exists() and not args.force:
        raise InputError(f"The brief file {args.file!r}", "already exists", "choose another name, or add --force "
                         "to start it again (its evidence is lost)")
    brief = PolicyBrief(title=args.title, audience=args.audience, problem=args.problem or "", author=args.author or "")
    brief.save(p)
    print(f"Created {p}: '{brief.title}' for {brief.audience}.", file=out)
    print(f"Next: evidencekit chart … --add {p}; evidencekit brief add {p} --table t.csv; "
          f"evidencekit brief build {p} --out brief.docx", file=out)
    return 0


def cmd_add(args, out) -> int:
    brief = _load(args.file)
    if args.chart:
        item = brief.board.add_chart_png(args.chart, args.caption or "")
    elif args.table:
        df = read_table(args.table)
        if {"estimate", "ci_low", "ci_high"} <= set(df.columns):
            item = brief.board.add_estimate(df, args.caption or "")
        else:
            item = brief.board.add_table(df, args.caption or "", columns=common.codes(args.columns))
    else:
        if not args.source:
            raise InputError("Adding a quotation", "--source is missing",
                             "say where it was recorded, e.g. --source 'Focus group, women traders, Cebu, March 2026'")
        item = brief.board.add_quote(args.quote, args.source, args.caption or "", speaker=args.speaker,
                                     context=args.context)
    brief.save(args.file)
    print(f"Added {item.id} ({item.type}) to {args.file}: {item.caption or '(no caption)'}", file=out)
    print(f"Cite: {item.citation}", file=out)
    return 0


def cmd_set(args, out) -> int:
    from evidencekit.brief.policy import Point

    brief = _load(args.file)
    for field in ("title", "audience", "problem", "author"):
        value = getattr(args, field)
        if value is not None:
            setattr(brief, field, value)
    if args.message is not None:
        brief.key_messages = [m for m in args.message if m.strip()]
    if args.option is not None:
        brief.policy_options = [Point.parse(o) for o in args.option]
    if args.recommend is not None:
        brief.recommendations = [Point.parse(r) for r in args.recommend]
    if args.evidence is not None:
        ids = common.codes(args.evidence) or []
        for i in ids:
            brief.board.get(i)
        brief.evidence = ids or None
    brief.save(args.file)
    print(f"Saved {args.file}.", file=out)
    return _show(brief, out)


def _show(brief, out) -> int:
    names = brief.numbering()
    print(f"'{brief.title}' for {brief.audience}", file=out)
    for it in brief.board:
        where = names.get(it.id, "not in the brief")
        print(f"  {it.id} {it.type:9} {where:12} {it.caption}", file=out)
    print("Checklist:", file=out)
    for c in brief.check():
        print(f"  [{'x' if c.ok else ' '}] {c.name}: {c.message}", file=out)
        for d in c.details:
            print(f"        - {d}", file=out)
    return 0


def cmd_show(args, out) -> int:
    return _show(_load(args.file), out)


def cmd_build(args, out) -> int:
    brief = _load(args.file)
    target = Path(args.out)
    if target.suffix.lower() not in (".docx", ".md", ".html", ".htm"):
        raise InputError(f"--out {args.out}", "is not a format the brief is written to", "end it with .docx, .md or .html")
    path = brief.write(target)
    print(f"Wrote {path} ({brief.pages():g} pages estimated, {len(brief.items())} evidence items, "
          f"{len(brief.references())} references).", file=out)
    todo = [c for c in brief.check() if not c.ok]
    for c in todo:
        print(f"check: {c.name}: {c.message}", file=out)
    return 0


def register(sub, missing) -> None:
    """Add ``brief`` (new, add, set, show, build) to the ``evidencekit`` parser."""
    b = sub.add_parser("brief", help="write a policy brief from your evidence (DOCX, Markdown, HTML)",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="A policy brief kept in one JSON file: its evidence board and its text.",
                       epilog="example:\n"
                              "  evidencekit brief new brief.json --title 'Youth jobs' --audience 'Adviser to the Minister'\n"
                              "  evidencekit chart line SDG_0852_SEX_AGE_RT_A --ref-area IDN PHL --sex T "
                              "--classif1 AGE_YTHADULT_Y15-24 --out youth.png --add brief.json\n"
                              "  evidencekit get SDG_0852_SEX_AGE_RT_A --ref-area PHL --sex T --start 2019 --out t.csv\n"
                              "  evidencekit brief add brief.json --table t.csv --caption 'Unemployment, Philippines'\n"
                              "  evidencekit brief set brief.json --problem '…' --message '…' --recommend 'Fund X [E1, E2]'\n"
                              "  evidencekit brief build brief.json --out brief.docx")
    bsub = b.add_subparsers(dest="brief_command", metavar="ACTION")
    n = bsub.add_parser("new", help="start a brief file")
    n.add_argument("file", help="the brief's JSON file, e.g. brief.json")
    n.add_argument("--title", required=True)
    n.add_argument("--audience", required=True, help="who will read it, e.g. 'Adviser to the Minister of Labour'")
    n.add_argument("--problem")
    n.add_argument("--author")
    n.add_argument("--force", action="store_true", help="overwrite an existing file")
    n.set_defaults(func=cmd_new)
    a = bsub.add_parser("add", help="add a chart, a table or a quotation to the evidence board")
    a.add_argument("file")
    what = a.add_mutually_exclusive_group(required=True)
    what.add_argument("--chart", metavar="PNG", help="a PNG written by evidencekit chart … --out")
    what.add_argument("--table", metavar="FILE", help="a .csv/.xlsx written by evidencekit get/estimate … --out")
    what.add_argument("--quote", metavar="TEXT", help="words quoted from a focus group or interview")
    a.add_argument("--caption")
    a.add_argument("--columns", nargs="+", metavar="COLUMN", help="table columns to show (default: readable ones)")
    a.add_argument("--source", help="for --quote: where it was recorded (who, where, when)")
    a.add_argument("--speaker", help="for --quote: who said it (e.g. 'Woman, 34')")
    a.add_argument("--context", help="for --quote: context (e.g. 'garment worker')")
    a.set_defaults(func=cmd_add)
    s = bsub.add_parser("set", help="set the brief's text (messages, options, recommendations with [E1, E2])")
    s.add_argument("file")
    for field in ("title", "audience", "problem", "author"):
        s.add_argument(f"--{field}")
    s.add_argument("--message", nargs="+", help="key messages (replace the ones there)")
    s.add_argument("--option", nargs="+", help="policy options; end one with [E1] to name its evidence")
    s.add_argument("--recommend", nargs="+", help="recommendations; end each with [E1, E2] to tie it to evidence")
    s.add_argument("--evidence", nargs="+", metavar="ID", help="items in the brief, in order (default: all)")
    s.set_defaults(func=cmd_set)
    sh = bsub.add_parser("show", help="list the evidence and run the checklist")
    sh.add_argument("file")
    sh.set_defaults(func=cmd_show)
    bu = bsub.add_parser("build", help="write the brief: .docx, .md or .html")
    bu.add_argument("file")
    bu.add_argument("--out", required=True, metavar="FILE")
    bu.set_defaults(func=cmd_build)
    b.set_defaults(func=lambda args, out: missing(b))
