"""``evidencekit chart line | bars | gap | slope``: an ILOSTAT chart with its source line, saved as PNG/SVG/PDF.

Thin: gets the figures (as ``evidencekit get`` does), compares them (:mod:`evidencekit.compare`), draws
(:mod:`evidencekit.charts`), saves, and optionally puts the chart on a brief's evidence board (``--add``).
"""
from __future__ import annotations

import argparse
from pathlib import Path

from evidencekit.cli import common
from evidencekit.errors import InputError


def _figures(args):
    client = common.client(args)
    return client.get(args.id, ref_area=common.codes(args.ref_area), sex=common.codes(args.sex),
                      classif1=common.codes(args.classif1), classif2=common.codes(args.classif2),
                      source=common.codes(args.source), start=args.start, end=args.end, labels=True, lang=args.lang)


def _year(value: str | None) -> int | str:
    if value is None or str(value).lower() == "latest":
        return "latest"
    try:
        return int(value)
    except ValueError:
        raise InputError(f"--year {value}", "is neither a year nor 'latest'", "e.g. --year 2019 or --year latest") \
            from None


def cmd_chart(args, out) -> int:
    from evidencekit import charts, compare, export

    if not args.out and not args.add:
        raise InputError(f"evidencekit chart {args.kind}", "there is nowhere to put the chart",
                         "give --out chart.png (or .svg/.pdf), and/or --add brief.json")
    targets = [Path(args.out)] if args.out else []
    if args.out and Path(args.out).suffix.lower() not in charts.FORMATS:
        raise InputError(f"--out {args.out}", "is not a picture format evidencekit writes",
                         "end the name with .png, .svg or .pdf")
    data_target = common.target(args.data) if args.data else None
    brief = None
    if args.add:
        from evidencekit.brief import PolicyBrief

        brief = PolicyBrief.load(args.add)  # refused now, before any work, if the file is not a brief
    df = _figures(args)
    if args.kind == "line":
        frame = compare.over_time(df, base=args.index_base) if args.index_base else df
        fig = charts.line(frame, value="index" if args.index_base else "obs_value", title=args.title)
    elif args.kind == "bars":
        frame = compare.across(df, _year(args.year), benchmark=args.benchmark, ascending=args.ascending)
        fig = charts.bars(frame, highlight=common.codes(args.highlight), title=args.title)
    elif args.kind == "gap":
        frame = compare.gap(df, args.by, args.a, args.b)
        fig = charts.dumbbell(frame, year=_year(args.year), title=args.title)
    else:
        frame = compare.change(df, args.start_year, args.end_year, allow_breaks=True)
        fig = charts.slope(df, args.start_year, args.end_year, title=args.title)
    info = charts.info(fig)
    written = []
    for t in targets:
        written += charts.save(fig, t, formats=args.format, dpi=args.dpi)
    for p in written:
        print(f"Wrote {p}.", file=out)
    if data_target is not None:
        export.write(frame, data_target)
        print(f"Wrote the chart's figures to {data_target} (with their citation).", file=out)
    if brief is not None:
        item = brief.board.add_chart(fig, args.caption or "")
        brief.save(args.add)
        print(f"Added {item.id} to {args.add}: {item.caption}", file=out)
    print(f"Title: {info.title}", file=out)
    print(info.source_line, file=out)
    print(f"Alt text: {info.alt_text}", file=out)
    for note in frame.attrs.get("notes") or []:
        print(f"note: {note}", file=out)
    return 0


def register(sub, missing) -> None:
    """Add ``chart`` (line, bars, gap, slope) to the ``evidencekit`` parser."""
    from evidencekit.cli.ilostat import offline_option

    c = sub.add_parser("chart", help="draw an ILOSTAT chart with its source line (PNG, SVG, PDF)",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="Draw one ILOSTAT indicator in the house style, with its source line and alt text.",
                       epilog="examples:\n"
                              "  evidencekit chart line SDG_0852_SEX_AGE_RT_A --ref-area IDN PHL THA VNM --sex T "
                              "--classif1 AGE_YTHADULT_Y15-24 --start 2012 --out youth.png\n"
                              "  evidencekit chart bars SDG_0852_SEX_AGE_RT_A --ref-area IDN PHL THA VNM X40 --sex T "
                              "--classif1 AGE_YTHADULT_Y15-24 --benchmark X40 --out ranked.svg\n"
                              "  evidencekit chart gap SDG_0852_SEX_AGE_RT_A --ref-area IDN PHL THA VNM "
                              "--classif1 AGE_YTHADULT_Y15-24 --by sex --a SEX_F --b SEX_M --out gap.png\n"
                              "  evidencekit chart slope SDG_0852_SEX_AGE_RT_A --ref-area IDN PHL --sex T "
                              "--classif1 AGE_YTHADULT_YGE15 --from 2015 --to 2021 --out slope.pdf")
    csub = c.add_subparsers(dest="kind", metavar="KIND")
    kinds = {"line": "one line per area or group over time (breaks and projections marked)",
             "bars": "areas ranked for one year or each one's latest, with a benchmark line",
             "gap": "two groups per area (e.g. women and men) as a dumbbell",
             "slope": "each area's value in two years, joined"}
    for kind, what in kinds.items():
        k = csub.add_parser(kind, help=what, description=f"Chart: {what}.")
        k.add_argument("id", help="dataset id, e.g. SDG_0852_SEX_AGE_RT_A (see: evidencekit search)")
        for flag, help_ in (("--ref-area", "area codes, e.g. IDN PHL (aggregates such as X40 for a benchmark)"),
                            ("--sex", "SEX_T, SEX_M, SEX_F (or T, M, F)"), ("--classif1", "e.g. AGE_YTHADULT_Y15-24"),
                            ("--classif2", "second classification codes"), ("--source", "source codes")):
            k.add_argument(flag, nargs="+", metavar="CODE", help=help_)
        k.add_argument("--start", help="first period of the figures fetched, e.g. 2012")
        k.add_argument("--end", help="last period of the figures fetched")
        k.add_argument("--title", help="your own title (default: what and where, from the data)")
        k.add_argument("--out", metavar="FILE", help="picture to write: .png, .svg or .pdf")
        k.add_argument("--format", nargs="+", choices=["png", "svg", "pdf"],
                       help="write these formats beside --out (e.g. --format png svg pdf)")
        k.add_argument("--dpi", type=int, default=150, help="PNG resolution (default 150)")
        k.add_argument("--data", metavar="FILE", help="also save the figures charted (.csv, .xlsx, .parquet)")
        k.add_argument("--add", metavar="BRIEF", help="add the chart to this brief's evidence board (JSON)")
        k.add_argument("--caption", help="caption of the chart on the evidence board")
        if kind == "line":
            k.add_argument("--index-base", type=int, metavar="YEAR", help="draw an index, YEAR = 100")
        if kind in ("bars", "gap"):
            k.add_argument("--year", help="a year, or latest (default: each area's latest year)")
        if kind == "bars":
            k.add_argument("--benchmark", help="an area code in --ref-area (e.g. X40), mean or median")
            k.add_argument("--ascending", action="store_true", help="rank 1 = lowest value")
            k.add_argument("--highlight", nargs="+", metavar="CODE", help="areas drawn in a second colour")
        if kind == "gap":
            k.add_argument("--by", required=True, choices=["sex", "classif1", "classif2"], help="column of the groups")
            k.add_argument("--a", required=True, help="first group, e.g. SEX_F")
            k.add_argument("--b", required=True, help="second group, e.g. SEX_M (gap = a - b)")
        if kind == "slope":
            k.add_argument("--from", dest="start_year", type=int, required=True, help="first year")
            k.add_argument("--to", dest="end_year", type=int, required=True, help="second year")
        offline_option(k)
        k.set_defaults(func=cmd_chart)
    c.set_defaults(func=lambda args, out: missing(c))
