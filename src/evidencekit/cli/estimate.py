"""``evidencekit estimate``: decent-work indicators with confidence intervals from survey microdata.

The command speaks in options: a library message that names an argument (``weight=COLUMN``) is said with the
option that sets it (``--weight COLUMN``), by :func:`evidencekit.cli.common.cli_words`.
"""
from __future__ import annotations

import argparse
import re
import textwrap

import pandas as pd

from evidencekit.cli import common
from evidencekit.errors import InputError
from evidencekit.indicators.estimation import LONELY_PSU
from evidencekit.indicators.intervals import CI_METHODS
from evidencekit.indicators.reliability import DEFAULT_CV_CAUTION, DEFAULT_CV_UNRELIABLE, DEFAULT_MIN_N
from evidencekit.microdata.checks import DUPLICATES

def _read(args):
    """The survey of the command: the file given with its options, or the SYNTHETIC training survey."""
    from evidencekit.microdata import read
    from evidencekit.microdata.synthetic import load_sample

    if args.file:
        weight = False if args.unweighted else args.weight
        if args.unweighted and args.weight:
            raise InputError("--unweighted", "contradicts --weight", "give one of them")
        return read(args.file, data=args.data, mapping=args.mapping, weight=weight, strata=args.strata, psu=args.psu,
                    sheet=args.sheet, delimiter=args.delimiter, encoding=args.encoding, header=args.header,
                    record=args.record, duplicates=args.duplicates)
    for flag in ("data", "mapping", "weight", "strata", "psu", "sheet", "delimiter", "encoding", "header", "record",
                 "unweighted"):
        if getattr(args, flag):
            raise InputError(f"--{flag}", "only applies to a survey file given with --file",
                             "add --file YOUR_FILE, or leave it out to use the SYNTHETIC training survey")
    if args.duplicates != "check":
        raise InputError("--duplicates", "only applies to a survey file given with --file", "add --file YOUR_FILE")
    return load_sample()


def _wrap(text: str, indent: str = "  ") -> str:
    return textwrap.fill(text, width=110, initial_indent=indent, subsequent_indent=indent + "  ")


def _legend_and_details(result: pd.DataFrame, out) -> None:
    """The flags' legend once, then the details that are not row counts (the table shows n_obs and cv)."""
    legend = result.attrs.get("legend") or {}
    if legend:
        print("\nFlags:", file=out)
        for code, text in legend.items():
            print(_wrap(f"{code:<7} {text}"), file=out)
    row_level = re.compile(r"^(small cell: n=|CV \d|interval (lower|upper) end|empty group)")
    details = [d for cell in result.get("flags_detail", pd.Series(dtype=str)) for d in str(cell).split("; ")
               if d and not row_level.match(d)]
    details = list(dict.fromkeys(details))
    if details:
        print("Details:", file=out)
        for d in details[:15]:
            print(_wrap(d), file=out)
        if len(details) > 15:
            print(f"  … and {len(details) - 15} more (--out FILE keeps them all, in the column flags_detail)", file=out)


def _notes(survey, out) -> None:
    """What was noticed when the file was read (shortened to one line each)."""
    notes = [n for n in survey.notes if n]
    if not notes:
        return
    print("Notes on reading the file:", file=out)
    for n in notes:
        n = common.cli_words(" ".join(n.split()))
        print(_wrap(n if len(n) <= 300 else n[:297] + "…"), file=out)


def cmd_estimate(args, out) -> int:
    from evidencekit import indicators

    if args.list:
        cat = indicators.catalogue().fillna({"sdg": ""})
        common.print_table(cat, ["name", "label", "unit", "sdg"], out)
        print(f"\n{len(cat)} indicators. Formula, universe and ICLS reference: evidencekit.indicators.catalogue() "
              "and docs/indicators.md.", file=out)
        return 0
    if not args.indicator:
        raise InputError("evidencekit estimate", "no indicator was named",
                         "name one or more, e.g. 'evidencekit estimate unemployment_rate' (list them with --list)")
    target = common.target(args.out)
    by = common.codes(args.by)
    if args.gap and (not by or len(by) != 1 or len(args.indicator) != 1):
        raise InputError("--gap A B", "compares two groups of one --by column for one indicator",
                         "e.g. evidencekit estimate unemployment_rate --by ilo_sex --gap 2 1")
    survey = _read(args)
    thresholds = dict(min_n=args.min_n, cv_caution=args.cv_caution, cv_unreliable=args.cv_unreliable)
    if args.gap:
        a, b = (_code(v) for v in args.gap)
        result = indicators.gap(survey, args.indicator[0], by=by[0], a=a, b=b, level=args.level, ci=args.ci,
                                lonely_psu=args.lonely_psu, **thresholds)
        cols = ["indicator", "a_label", "b_label", "estimate_a", "estimate_b", "estimate", "se", "ci_low", "ci_high",
                "p_value", "n_obs_a", "n_obs_b", "unit", "flags"]
        shown = result[cols].rename(columns={"a_label": "a", "b_label": "b", "estimate": "a - b"})
    else:
        result = indicators.estimate(survey, args.indicator, by=by, level=args.level, ci=args.ci,
                                     lonely_psu=args.lonely_psu, **thresholds)
        shown = result.drop(columns=[c for c in result.columns if c.endswith("_code")] + ["label", "flags_detail"],
                            errors="ignore")
    with pd.option_context("display.width", 200, "display.max_colwidth", 60, "display.max_rows", 500,
                           "display.float_format", "{:,.3f}".format):
        print(shown.to_string(index=False), file=out)
    _legend_and_details(result, out)
    prov = result.attrs.get("provenance", {})
    ci = result.attrs.get("ci", {})
    method = {"t": "Student's t on the design's degrees of freedom",
              "logit": "logit (R svyciprop), kept within 0-100, t on each group's degrees of freedom"}.get(
        ci.get("method"), "normal quantiles")
    print("", file=out)
    print(_wrap(f"Survey: {prov.get('citation')}", ""), file=out)
    print(_wrap(f"Design: {_design_line(result.attrs.get('design', {}), prov.get('design', {}))}. "
                f"{ci.get('level', args.level):.0%} confidence intervals, {method}; standard errors by Taylor "
                "linearisation (ultimate clusters).", ""), file=out)
    if args.file:
        _notes(survey, out)
    if target is not None:
        common.save(result, target, out)
    return 0


def _code(value: str):
    """A group given on the command line: a number when it reads as one (codes), else the text (a label)."""
    try:
        number = float(value)
    except ValueError:
        return value
    return int(number) if number.is_integer() else number


def _design_line(design: dict, prov_design: dict | None = None) -> str:
    """``{"records": 35061, "weight": "ilo_wgt", "n_strata": 12, ...}`` -> one readable line.

    >>> _design_line({"records": 10, "weight": None})
    '10 records; weight none (every record counts 1); no strata or PSUs given: standard errors treat records as a simple random sample'
    """
    rule = (prov_design or {}).get("weight_rule", "")
    weight = design.get("weight") or "none (every record counts 1)"
    if design.get("weight") and rule.startswith("not named"):
        weight += " (not named: the file's ILO harmonised weight; --weight COL for another, --unweighted for none)"
    parts = [f"{design.get('records', 0):,} records", f"weight {weight}"]
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
        description="Estimate indicators (ILO definitions, 19th ICLS) with design-based standard errors, coefficients "
                    "of variation, confidence intervals and reliability flags. Without --file, uses the SYNTHETIC "
                    "training survey shipped with evidencekit. Formulas and flags: docs/indicators.md.",
        epilog="examples:\n  evidencekit estimate --list\n"
               "  evidencekit estimate unemployment_rate youth_neet_rate --by ilo_sex\n"
               "  evidencekit estimate unemployment_rate --by ilo_sex --gap 2 1\n"
               "  evidencekit estimate youth_unemployment_rate --by region --ci logit\n"
               "  evidencekit estimate labour_force_participation_rate --file LFS_PUF_November_2022.dcf "
               "--mapping psa_lfs_puf --by ilo_sex --out lfpr.xlsx\n"
               "  evidencekit estimate unemployment_rate --file lfs.csv --weight wgt --strata region --psu ea\n"
               "  evidencekit mapping init lfs.csv --out my_survey.yaml    (map a national survey: docs/mappings.md)")
    e.add_argument("indicator", nargs="*", help="indicator names, e.g. unemployment_rate (see --list)")
    e.add_argument("--list", action="store_true", help="list the indicators and stop")
    e.add_argument("--file", metavar="FILE", help="survey file: .csv .xlsx .dta .sav .parquet or CSPro .dcf")
    e.add_argument("--data", metavar="FILE", help="CSPro data file (default: next to the .dcf)")
    e.add_argument("--record", metavar="NAME", help="CSPro record type, when the file holds several")
    e.add_argument("--mapping", metavar="NAME", help="mapping to ILO variables: a shipped name (psa_lfs_puf) or a YAML "
                                                     "file (evidencekit mapping init writes one)")
    e.add_argument("--weight", metavar="COL", help="weight column (default: the mapping's, or ilo_wgt when the file has it)")
    e.add_argument("--unweighted", action="store_true", help="no weight, on purpose (every record counts 1)")
    e.add_argument("--strata", metavar="COL", help="strata column")
    e.add_argument("--psu", metavar="COL", help="primary sampling unit column")
    e.add_argument("--sheet", metavar="NAME", help="Excel sheet name ('all': sheets with the same columns as one table)")
    e.add_argument("--header", type=int, metavar="N", help="row number of the column names (CSV, Excel) when titles "
                                                           "come first")
    e.add_argument("--delimiter", metavar="CHAR", help="CSV delimiter (default: detected)")
    e.add_argument("--encoding", metavar="NAME", help="text encoding (default: detected)")
    e.add_argument("--duplicates", choices=DUPLICATES, default="check",
                   help="records repeating another exactly: check (default: a repeated file or block is refused), "
                        "keep, or drop the copies")
    e.add_argument("--by", nargs="+", metavar="COL", help="break down by these columns, e.g. ilo_sex ilo_geo")
    e.add_argument("--gap", nargs=2, metavar=("A", "B"), help="the difference A - B between two groups of the --by "
                                                              "column (codes or labels), with its own standard error")
    e.add_argument("--level", type=float, default=0.95, help="confidence level (default 0.95)")
    e.add_argument("--ci", choices=CI_METHODS, default="normal",
                   help="interval: normal (as R confint, default), t (design degrees of freedom) or logit (rates: "
                        "stays within 0-100, as R svyciprop)")
    e.add_argument("--min-n", type=int, default=DEFAULT_MIN_N, metavar="N",
                   help=f"flag cells with fewer unweighted records (default {DEFAULT_MIN_N}, ILO practice)")
    e.add_argument("--cv-caution", type=float, default=DEFAULT_CV_CAUTION, metavar="PCT",
                   help=f"flag a coefficient of variation above PCT%% as 'use with caution' (default "
                        f"{DEFAULT_CV_CAUTION:g}, ABS practice)")
    e.add_argument("--cv-unreliable", type=float, default=DEFAULT_CV_UNRELIABLE, metavar="PCT",
                   help=f"flag a coefficient of variation above PCT%% as too unreliable (default "
                        f"{DEFAULT_CV_UNRELIABLE:g}, ABS practice)")
    e.add_argument("--lonely-psu", default="fail", choices=LONELY_PSU,
                   help="strata with one PSU: fail (default), or R survey's options")
    e.add_argument("--out", metavar="FILE", help="save the table to FILE (.csv, .xlsx or .parquet), with the survey's "
                                                  "citation, design, confidence level and the flags' legend")
    e.set_defaults(func=cmd_estimate)
