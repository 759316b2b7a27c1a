"""``evidencekit estimate``: decent-work indicators with confidence intervals from survey microdata."""
from __future__ import annotations

import argparse

import pandas as pd

from evidencekit.cli import common
from evidencekit.errors import InputError
from evidencekit.indicators.estimation import DEFAULT_MIN_N, LONELY_PSU


def cmd_estimate(args, out) -> int:
    from evidencekit import indicators
    from evidencekit.microdata import read
    from evidencekit.microdata.synthetic import load_sample

    if args.list:
        cat = indicators.catalogue().fillna({"sdg": ""})
        common.print_table(cat, ["name", "label", "unit", "sdg"], out)
        print(f"\n{len(cat)} indicators. Formula, universe and ICLS reference: evidencekit.indicators.catalogue().",
              file=out)
        return 0
    if not args.indicator:
        raise InputError("evidencekit estimate", "no indicator was named",
                         "name one or more, e.g. 'evidencekit estimate unemployment_rate' (list them with --list)")
    target = common.target(args.out)
    if args.file:
        survey = read(args.file, data=args.data, mapping=args.mapping, weight=args.weight, strata=args.strata,
                      psu=args.psu, sheet=args.sheet, delimiter=args.delimiter, encoding=args.encoding)
        described = f"{args.file}" + (f" (mapping {args.mapping})" if args.mapping else "")
    else:
        for flag in ("data", "mapping", "weight", "strata", "psu", "sheet", "delimiter", "encoding"):
            if getattr(args, flag):
                raise InputError(f"--{flag}", "only applies to a survey file given with --file",
                                 "add --file YOUR_FILE, or leave it out to use the SYNTHETIC training survey")
        survey = load_sample()
        described = "the SYNTHETIC training survey shipped with evidencekit (fictional country; not real data)"
    by = common.codes(args.by)
    result = indicators.estimate(survey, args.indicator, by=by, level=args.level, ci=args.ci, min_n=args.min_n,
                                 lonely_psu=args.lonely_psu)
    shown = result.drop(columns=[c for c in result.columns if c.endswith("_code")] + ["label"], errors="ignore")
    with pd.option_context("display.width", 200, "display.max_colwidth", 60, "display.max_rows", 500,
                           "display.float_format", "{:,.3f}".format):
        print(shown.to_string(index=False), file=out)
    design = result.attrs.get("design", {})
    ci = result.attrs.get("ci", {})
    method = "Student's t on the design's degrees of freedom" if ci.get("method") == "t" else "normal quantiles"
    print(f"\nSurvey: {described}.", file=out)
    print(f"Design: {_design_line(design)}. {ci.get('level', args.level):.0%} confidence intervals, {method}; "
          f"standard errors by Taylor linearisation (ultimate clusters).", file=out)
    if target is not None:
        common.save(result, target, out)
    return 0


def _design_line(design: dict) -> str:
    """``{"records": 35061, "weight": "ilo_wgt", "n_strata": 12, ...}`` -> one readable line."""
    parts = [f"{design.get('records', 0):,} records", f"weight {design.get('weight') or 'none (every record counts 1)'}"]
    if design.get("strata"):
        parts.append(f"{design.get('n_strata')} strata ({design['strata']})")
    if design.get("psu"):
        parts.append(f"{design.get('n_psu')} PSUs ({design['psu']})")
    if not design.get("strata") and not design.get("psu"):
        parts.append("no strata or PSUs given: standard errors treat records as a simple random sample")
    return "; ".join(parts)




def register(sub, missing) -> None:
    """Add ``estimate`` to the ``evidencekit`` parser."""
    e = sub.add_parser(
        "estimate", help="decent-work indicators with confidence intervals from survey microdata",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Estimate indicators (ILO definitions, 19th ICLS) with design-based standard errors and "
                    "confidence intervals. Without --file, uses the SYNTHETIC training survey shipped with evidencekit.",
        epilog="examples:\n  evidencekit estimate --list\n"
               "  evidencekit estimate unemployment_rate youth_neet_rate --by ilo_sex\n"
               "  evidencekit estimate labour_force_participation_rate --file LFS_PUF_November_2022.dcf "
               "--mapping psa_lfs_puf --by ilo_sex --out lfpr.xlsx\n"
               "  evidencekit estimate unemployment_rate --file lfs.csv --weight wgt --strata region --psu ea")
    e.add_argument("indicator", nargs="*", help="indicator names, e.g. unemployment_rate (see --list)")
    e.add_argument("--list", action="store_true", help="list the indicators and stop")
    e.add_argument("--file", metavar="FILE", help="survey file: .csv .xlsx .dta .sav .parquet or CSPro .dcf")
    e.add_argument("--data", metavar="FILE", help="CSPro data file (default: next to the .dcf)")
    e.add_argument("--mapping", metavar="NAME", help="mapping to ILO variables: a shipped name (psa_lfs_puf) or a YAML file")
    e.add_argument("--weight", metavar="COL", help="weight column (default: the mapping's)")
    e.add_argument("--strata", metavar="COL", help="strata column")
    e.add_argument("--psu", metavar="COL", help="primary sampling unit column")
    e.add_argument("--sheet", help="Excel sheet name")
    e.add_argument("--delimiter", help="CSV delimiter (default: detected)")
    e.add_argument("--encoding", help="text encoding (default: detected)")
    e.add_argument("--by", nargs="+", metavar="COL", help="break down by these columns, e.g. ilo_sex ilo_age_ythadult")
    e.add_argument("--level", type=float, default=0.95, help="confidence level (default 0.95)")
    e.add_argument("--ci", choices=["normal", "t"], default="normal",
                   help="interval quantiles: normal (as R confint, default) or t (design degrees of freedom)")
    e.add_argument("--min-n", type=int, default=DEFAULT_MIN_N, metavar="N",
                   help=f"flag cells with fewer unweighted records (default {DEFAULT_MIN_N})")
    e.add_argument("--lonely-psu", default="fail", choices=LONELY_PSU,
                   help="strata with one PSU: fail (default), or R survey's options")
    e.add_argument("--out", metavar="FILE", help="save the table to FILE (.csv, .xlsx or .parquet), with survey, "
                                                  "design and confidence level")
    e.set_defaults(func=cmd_estimate)
