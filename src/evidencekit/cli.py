"""The ``evidencekit`` command: search and download ILOSTAT data, manage the offline snapshot and the cache,
and estimate decent-work indicators (with confidence intervals) from survey microdata.

Every evidencekit error is printed as one line on stderr (exit code 2), never as a traceback.
Exports (CSV, XLSX) neutralise spreadsheet formulas: a text cell starting with ``= + - @`` (or a tab /
carriage return) gets a leading apostrophe, numbers excepted (OWASP "CSV injection" rule).

>>> neutralise_formulas(pd.DataFrame({"a": ["=1+2", "-3.5", "@SUM(A1)", "ok"]}))["a"].tolist()
["'=1+2", '-3.5', "'@SUM(A1)", 'ok']
"""
from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path
from typing import Sequence

import pandas as pd

from evidencekit.errors import EvidenceKitError, InputError
from evidencekit.indicators.estimation import DEFAULT_MIN_N, LONELY_PSU

EXAMPLES = """\
examples:
  evidencekit search unemployment
  evidencekit search "youth neet" --limit 5
  evidencekit get SDG_0852_SEX_AGE_RT_A --ref-area PHL --out phl.csv
  evidencekit get SDG_0852_SEX_AGE_RT_A --ref-area IDN PHL --sex SEX_T --start 2015 --end 2024 --labels
  evidencekit areas
  evidencekit snapshot build --from ../shared/data/ilostat
  evidencekit snapshot info
  evidencekit cache clear
  evidencekit estimate --list
  evidencekit estimate unemployment_rate youth_neet_rate --by ilo_sex
  evidencekit estimate unemployment_rate --file LFS_PUF_November_2022.dcf --mapping psa_lfs_puf --by ilo_sex

Works without network: answers come from ILOSTAT when it can be reached, else from the local cache,
else from the offline snapshot embedded in the package; every answer says which. --offline (or
EVIDENCEKIT_OFFLINE=1) never touches the network. EVIDENCEKIT_ILOSTAT_URL and EVIDENCEKIT_CACHE_DIR
change the ILOSTAT address and the cache folder.
"""
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_EXPORTS = (".csv", ".xlsx", ".parquet")


def neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``df`` where text cells that a spreadsheet would run as a formula start with ``'``."""
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_datetime64_any_dtype(s) or pd.api.types.is_bool_dtype(s):
            continue
        text = s.astype("string")
        risky = text.str.startswith(_FORMULA_START).fillna(False)
        numeric = pd.to_numeric(text.where(risky), errors="coerce").notna()
        flag = (risky & ~numeric).to_numpy(bool)
        if flag.any():
            s = s.astype(object).copy()
            s[flag] = "'" + text[flag].astype(str)
            out[col] = s
    return out


def _codes(values: list[str] | None) -> list[str] | None:
    """``--ref-area IDN PHL`` or ``--ref-area IDN,PHL`` -> ``["IDN", "PHL"]``."""
    if not values:
        return None
    return [part.strip() for v in values for part in v.split(",") if part.strip()]


def _origin_line(prov: dict) -> str:
    origin = prov.get("origin")
    stale = " — STALE: ILOSTAT could not be reached, this may not be the latest release" if prov.get("stale") else ""
    if origin == "live":
        return f"From: ILOSTAT live ({prov.get('url')})"
    if origin == "cache":
        return f"From: local cache of {prov.get('url') or 'ILOSTAT'} (retrieved {str(prov.get('retrieved_at'))[:10]}){stale}"
    if origin == "snapshot":
        when = (f"release {prov['vintage']}" if prov.get("vintage")
                else f"built {str(prov.get('retrieved_at'))[:10]}" if prov.get("retrieved_at") else "")
        return f"From: evidencekit offline snapshot {prov.get('snapshot_id') or ''}{f' ({when})' if when else ''}{stale}"
    return f"From: {origin or 'unknown source'}{stale}"


def _client(args):
    from evidencekit.ilostat import Client

    return Client(offline=True if getattr(args, "offline", False) else None)


def _print_table(df: pd.DataFrame, columns: Sequence[str], out) -> None:
    cols = [c for c in columns if c in df.columns]
    with pd.option_context("display.width", 160, "display.max_colwidth", 70, "display.max_rows", 200):
        print(df[cols].to_string(index=False), file=out)


def cmd_search(args, out) -> int:
    if args.limit < 1: raise InputError(f"--limit {args.limit}", "must be 1 or more", "e.g. --limit 20")  # noqa: E701
    client = _client(args)
    found = client.search(" ".join(args.text), limit=None, lang=args.lang)
    prov = found.attrs.get("provenance", {})
    total, found = len(found), found.head(args.limit)
    if found.empty:  # offline in fr/es, the library's warning says the labels are English only
        print(f"No indicator matches {' '.join(args.text)!r}. Try fewer or other words.", file=out)
    else:
        shown = found.copy()
        if "indicator" in shown.columns:
            shown["id"] = shown["id"].fillna(shown["indicator"].astype("string"))
        if "offline" in shown.columns:
            online_only = "no (needs network)" if prov.get("origin") == "snapshot" else ""
            shown["offline"] = shown["offline"].map({True: "yes", False: online_only}).fillna(online_only)
        for col in ("data_start", "data_end"):
            if col in shown.columns:
                shown[col] = shown[col].astype("string").fillna("")
        _print_table(shown, ["id", "label", "data_start", "data_end", "offline"], out)
    where = {"live": "ILOSTAT live catalogue", "cache": "cached ILOSTAT catalogue",
             "snapshot": "offline snapshot catalogue"}.get(prov.get("origin"), "catalogue")
    stale = " (ILOSTAT could not be reached)" if prov.get("stale") else ""
    print(f"\n{len(found)} of {total} shown, from the {where}{stale}. offline=yes: data available without network.",
          file=out)
    return 0


def cmd_get(args, out) -> int:
    if args.rows < 1: raise InputError(f"--rows {args.rows}", "must be 1 or more", "e.g. --rows 10")  # noqa: E701
    client = _client(args)
    target = _target(args.out)
    df = client.get(args.id, ref_area=_codes(args.ref_area), sex=_codes(args.sex), classif1=_codes(args.classif1),
                    classif2=_codes(args.classif2), source=_codes(args.source), start=args.start, end=args.end,
                    labels=args.labels, lang=args.lang)
    prov = df.attrs.get("provenance", {})
    if target is None:
        cols = ["ref_area", "sex", "classif1", "classif2", "time", "obs_value", "obs_status"]
        if args.labels:
            cols = ["ref_area.label", "sex.label", "classif1.label", "classif2.label", "time", "obs_value"]
        _print_table(df.head(args.rows), cols, out)
        more = f" (first {args.rows} shown; --out FILE saves all)" if len(df) > args.rows else ""
        print(f"\n{len(df)} rows{more}.", file=out)
    else:
        _export(df, target)
        print(f"Wrote {len(df)} rows to {target}.", file=out)
    print(f"Cite: {prov.get('citation')}", file=out)
    print(_origin_line(prov), file=out)
    return 0


def _target(out: str | None) -> Path | None:
    """The ``--out`` file, checked before any work is done (a wrong extension fails at once)."""
    if not out:
        return None
    target = Path(out)
    if target.suffix.lower() not in _EXPORTS:
        raise InputError(f"The output file {out!r}", "has an extension evidencekit cannot write",
                         "end the name with .csv, .xlsx or .parquet")
    return target


def _export(df: pd.DataFrame, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    suffix = target.suffix.lower()
    try:
        if suffix == ".csv":
            neutralise_formulas(df).to_csv(target, index=False, date_format="%Y-%m-%d")
        elif suffix == ".xlsx":
            safe = neutralise_formulas(df)
            safe.attrs = {}
            safe.to_excel(target, index=False, sheet_name="data")
        else:
            df.to_parquet(target, index=False)
    except OSError as err:
        raise InputError(f"Writing {target}", str(err), "choose a folder you can write to") from None


def cmd_areas(args, out) -> int:
    df = _client(args).areas(lang=args.lang)
    _print_table(df.astype("string").fillna(""), ["ref_area", "ref_area.label", "ilo_region.label", "income_group.label"], out)
    print(f"\n{len(df)} areas. {_origin_line(df.attrs.get('provenance', {}))}", file=out)
    return 0


def cmd_snapshot_build(args, out) -> int:
    from evidencekit.ilostat.snapshot import DEFAULT_PATH, build

    src = Path(args.src)
    if not src.is_dir():
        raise InputError(f"The folder {args.src!r}", "is a file, not a folder" if src.exists() else "does not exist", "give the folder that holds the ILOSTAT files")
    manifest = build(src, out_dir=Path(args.out) if args.out else DEFAULT_PATH, progress=not args.quiet)
    datasets = manifest.get("datasets", {})
    print(f"Snapshot {manifest.get('snapshot_id')}: {len(datasets)} datasets written to "
          f"{args.out or DEFAULT_PATH}.", file=out)
    for skipped in manifest.get("skipped", []) or []:
        if isinstance(skipped, dict):
            skipped = f"{skipped.get('file')}: {skipped.get('reason')}"
        print(f"  skipped {skipped}", file=out)
    return 0


def cmd_snapshot_info(args, out) -> int:
    from evidencekit.ilostat.snapshot import Snapshot

    snap = Snapshot(args.path) if args.path else Snapshot()
    m = snap.manifest
    print(f"Snapshot {m.get('snapshot_id')} at {snap.path} (built {m.get('built_at')}; licence {m.get('licence')})",
          file=out)
    _print_table(snap.info(), ["id", "vintage", "rows", "time_start", "time_end", "n_ref_area"], out)
    print(f"\nCite: {m.get('citation')}", file=out)
    return 0


def cmd_cache_clear(args, out) -> int:
    from evidencekit.ilostat import Client

    from evidencekit.ilostat import CacheError

    client = Client()
    try:
        n = client.clear_cache()
    except OSError as err:
        raise CacheError(f"Clearing the cache folder {client.settings.cache_dir}", str(err),
                         "check the folder's permissions, or delete it by hand") from None
    print(f"Removed {n} cached file(s) from {client.settings.cache_dir}.", file=out)
    return 0


def cmd_estimate(args, out) -> int:
    from evidencekit import indicators
    from evidencekit.microdata import read
    from evidencekit.microdata.synthetic import load_sample

    if args.list:
        cat = indicators.catalogue().fillna({"sdg": ""})
        _print_table(cat, ["name", "label", "unit", "sdg"], out)
        print(f"\n{len(cat)} indicators. Formula, universe and ICLS reference: evidencekit.indicators.catalogue().",
              file=out)
        return 0
    if not args.indicator:
        raise InputError("evidencekit estimate", "no indicator was named",
                         "name one or more, e.g. 'evidencekit estimate unemployment_rate' (list them with --list)")
    target = _target(args.out)
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
    by = _codes(args.by)
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
        _export(result, target)
        print(f"Wrote {len(result)} rows to {target}.", file=out)
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


def build_parser() -> argparse.ArgumentParser:
    from evidencekit import __version__

    p = argparse.ArgumentParser(
        prog="evidencekit", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EXAMPLES,
        description="Evidence workbench for decent-work policy: ILOSTAT data with citations, online or offline.")
    p.add_argument("--version", action="version", version=f"evidencekit {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def common(sp, lang=True):
        sp.add_argument("--offline", action="store_true", help="never touch the network (cache, then snapshot)")
        if lang:
            sp.add_argument("--lang", default="en", help="language of labels: en, fr or es (default en)")

    s = sub.add_parser("search", help="find ILOSTAT indicators by words", epilog="example: evidencekit search youth unemployment",
                       description="Search the ILOSTAT catalogue (labels and ids; case- and accent-insensitive).")
    s.add_argument("text", nargs="+", help="words to look for, e.g. unemployment")
    s.add_argument("--limit", type=int, default=20, help="how many results (default 20)")
    common(s)
    s.set_defaults(func=cmd_search)

    g = sub.add_parser("get", help="download one indicator (filtered) with its citation",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="Get one ILOSTAT dataset. Codes may be repeated or comma-separated.",
                       epilog="examples:\n  evidencekit get SDG_0852_SEX_AGE_RT_A --ref-area PHL --out phl.csv\n"
                              "  evidencekit get UNE_DEAP_SEX_AGE_RT_A --ref-area KEN USA --sex T --start 2015 --labels")
    g.add_argument("id", help="dataset id with its frequency, e.g. SDG_0852_SEX_AGE_RT_A (see: evidencekit search)")
    for flag, what in (("--ref-area", "area codes, e.g. PHL IDN (see: evidencekit areas)"),
                       ("--sex", "SEX_T, SEX_M, SEX_F (or T, M, F)"),
                       ("--classif1", "first classification codes, e.g. AGE_YTHADULT_Y15-24"),
                       ("--classif2", "second classification codes"),
                       ("--source", "source codes, e.g. BA:453")):
        g.add_argument(flag, nargs="+", metavar="CODE", help=what)
    g.add_argument("--start", help="first period: 2015, 2022Q1 or 2022M01")
    g.add_argument("--end", help="last period: 2024, 2024Q4 or 2024M12")
    g.add_argument("--labels", action="store_true", help="add <column>.label columns")
    g.add_argument("--out", metavar="FILE", help="save all rows to FILE (.csv, .xlsx or .parquet)")
    g.add_argument("--rows", type=int, default=10, help="rows shown in the preview (default 10)")
    common(g)
    g.set_defaults(func=cmd_get)

    a = sub.add_parser("areas", help="list reference areas with ILO regions and income groups")
    common(a)
    a.set_defaults(func=cmd_areas)

    sn = sub.add_parser("snapshot", help="build or describe the offline snapshot")
    snsub = sn.add_subparsers(dest="snapshot_command", metavar="ACTION")
    b = snsub.add_parser("build", help="build the snapshot from a folder of ILOSTAT files",
                         description="Turn ILOSTAT files (bulk CSV, explorer exports, DDF) into the Parquet snapshot.",
                         epilog="example: evidencekit snapshot build --from ../shared/data/ilostat")
    b.add_argument("--from", dest="src", required=True, metavar="DIR", help="folder of ILOSTAT-format files")
    b.add_argument("--out", metavar="DIR", help="where to write it (default: inside the package)")
    b.add_argument("--quiet", action="store_true", help="no progress bar")
    b.set_defaults(func=cmd_snapshot_build)
    i = snsub.add_parser("info", help="what the snapshot holds (datasets, releases, licence)")
    i.add_argument("--path", metavar="DIR", help="a snapshot folder (default: the embedded one)")
    i.set_defaults(func=cmd_snapshot_info)
    sn.set_defaults(func=lambda args, out: _missing(sn))

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
    e.add_argument("--out", metavar="FILE", help="save the table to FILE (.csv, .xlsx or .parquet)")
    e.set_defaults(func=cmd_estimate)

    c = sub.add_parser("cache", help="manage the local cache of ILOSTAT answers")
    csub = c.add_subparsers(dest="cache_command", metavar="ACTION")
    cc = csub.add_parser("clear", help="delete the cached ILOSTAT files")
    cc.set_defaults(func=cmd_cache_clear)
    c.set_defaults(func=lambda args, out: _missing(c))
    return p


def _missing(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _one_line_warnings(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"note: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; return the exit code (0 ok, 2 a user-facing error, 130 interrupted)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    previous = warnings.showwarning
    warnings.showwarning = _one_line_warnings
    try:
        return int(args.func(args, sys.stdout) or 0)
    except EvidenceKitError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and closed: not an error
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return 0
    finally:
        warnings.showwarning = previous


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
