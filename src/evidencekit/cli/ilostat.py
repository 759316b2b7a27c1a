"""``evidencekit search | get | areas | snapshot | cache``: the ILOSTAT verbs on the command line
(``docs/ilostat.md``)."""
from __future__ import annotations

import argparse
from pathlib import Path

from evidencekit.cli import common
from evidencekit.errors import InputError


def cmd_search(args, out) -> int:
    if args.limit < 1: raise InputError(f"--limit {args.limit}", "must be 1 or more", "e.g. --limit 20")  # noqa: E701
    client = common.client(args)
    found = client.search(" ".join(args.text), limit=None, lang=args.lang)
    prov = found.attrs.get("provenance", {})
    total, found = len(found), found.head(args.limit)
    if found.empty:  # offline in fr/es, the library's warning says the labels are English only
        print(f"No indicator matches {' '.join(args.text)!r}. Try fewer or other words.", file=out)
    else:
        shown = found.copy()
        if "offline" in shown.columns:
            online_only = "no (needs network)" if prov.get("origin") == "snapshot" else ""
            assumed = shown["freq"].isna() if "freq" in shown.columns else False
            shown["offline"] = shown["offline"].map({True: "yes", False: online_only}).fillna(online_only)
            shown.loc[assumed & (shown["offline"] != "yes"), "offline"] = "no (needs network; _A assumed)"
        for col in ("data_start", "data_end"):
            if col in shown.columns:
                shown[col] = shown[col].astype("string").fillna("")
        common.print_table(shown, ["id", "label", "data_start", "data_end", "offline"], out)
    where = {"live": "ILOSTAT live catalogue", "cache": "cached ILOSTAT catalogue",
             "snapshot": "offline snapshot catalogue"}.get(prov.get("origin"), "catalogue")
    stale = " (ILOSTAT could not be reached)" if prov.get("stale") else ""
    print(f"\n{len(found)} of {total} shown, from the {where}{stale}. offline=yes: data available without network.",
          file=out)
    return 0


def cmd_get(args, out) -> int:
    if args.rows < 1: raise InputError(f"--rows {args.rows}", "must be 1 or more", "e.g. --rows 10")  # noqa: E701
    client = common.client(args)
    target = common.target(args.out)
    df = client.get(args.id, ref_area=common.codes(args.ref_area), sex=common.codes(args.sex), classif1=common.codes(args.classif1),
                    classif2=common.codes(args.classif2), source=common.codes(args.source), start=args.start, end=args.end,
                    labels=args.labels, lang=args.lang)
    prov = df.attrs.get("provenance", {})
    if target is None:
        cols = ["ref_area", "sex", "classif1", "classif2", "time", "obs_value", "obs_status"]
        if args.labels:
            cols = ["ref_area.label", "sex.label", "classif1.label", "classif2.label", "time", "obs_value"]
        common.print_table(common.blanks(df.head(args.rows)), cols, out)
        more = f" (first {args.rows} shown; --out FILE saves all)" if len(df) > args.rows else ""
        print(f"\n{len(df)} rows{more}.", file=out)
    else:
        common.save(df, target, out)
    for line in common.group_lines(prov):
        print(line, file=out)
    print(f"Cite: {prov.get('citation')}", file=out)
    print(common.origin_line(prov), file=out)
    return 0


def cmd_areas(args, out) -> int:
    client = common.client(args)
    if args.groups:
        df = client.groups(lang=args.lang)
        shown = df.astype("string").fillna("")
        shown["members"] = shown["members"].map(lambda m: m if len(m) <= 48 else m[:44].rsplit("+", 1)[0] + "+…")
        common.print_table(shown, ["group", "name", "kind", "n_members", "members"], out)
        print("\nNamed groups are lists of member states (their own rows); ILOSTAT aggregates (X..) are one figure "
              "computed by the ILO. --group NAME lists the members of one.", file=out)
        print(common.origin_line(df.attrs.get("provenance", {})), file=out)
        return 0
    df = client.areas(lang=args.lang, group=args.group)
    common.print_table(df.astype("string").fillna(""), ["ref_area", "ref_area.label", "ilo_region.label", "income_group.label"], out)
    prov = df.attrs.get("provenance", {})
    lines = common.group_lines(prov)
    for line in lines:
        print(line, file=out)
    print(f"\n{len(df)} {'members' if args.group else 'areas'}. {common.origin_line(prov)}", file=out)
    return 0


def cmd_snapshot_build(args, out) -> int:
    from evidencekit.ilostat.build import build
    from evidencekit.ilostat.snapshot import DEFAULT_PATH

    src = Path(args.src)
    if not src.is_dir():
        raise InputError(f"The folder given to --from ({args.src})",
                         "is a file, not a folder" if src.exists() else "does not exist",
                         "give --from the folder that holds the ILOSTAT files")
    target = DEFAULT_PATH if args.into_package else Path(args.out)
    manifest = build(src, target, releases=args.releases, progress=not args.quiet)
    datasets = manifest.get("datasets", {})
    print(f"Snapshot {manifest.get('snapshot_id')}: {len(datasets)} datasets written to {target}.", file=out)
    for skipped in manifest.get("skipped", []) or []:
        if isinstance(skipped, dict):
            skipped = f"{skipped.get('file')}: {skipped.get('reason')}"
        print(f"  skipped {skipped}", file=out)
    unknown = [k for k, e in datasets.items() if e.get("vintage") == "unknown"]
    if unknown:
        print(f"  release date unknown for {', '.join(unknown)} (the file name has none and the release record gives none; "
              "--releases FILE gives one)", file=out)
    if not args.into_package:
        print(f"Use it with: evidencekit snapshot info --path {target}", file=out)
    return 0


def cmd_snapshot_info(args, out) -> int:
    from evidencekit.ilostat.snapshot import Snapshot

    snap = Snapshot(args.path) if args.path else Snapshot()
    m = snap.manifest
    print(f"Snapshot {m.get('snapshot_id')} at {snap.path} (built {m.get('built_at')}; licence {m.get('licence')})",
          file=out)
    common.print_table(snap.info(), ["id", "vintage", "rows", "time_start", "time_end", "n_ref_area"], out)
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




def offline_option(sp: argparse.ArgumentParser, lang: bool = True) -> None:
    sp.add_argument("--offline", action="store_true", help="never touch the network (cache, then snapshot)")
    sp.add_argument("--deadline", type=float, metavar="SECONDS",
                    help="time allowed for each ILOSTAT request, all included (default 15, or "
                         "EVIDENCEKIT_ILOSTAT_DEADLINE); after it the cache or the snapshot answers")
    if lang:
        sp.add_argument("--lang", default="en", help="language of labels: en, fr or es (default en)")


def register(sub, missing) -> None:
    """Add ``search``, ``get``, ``areas``, ``snapshot`` and ``cache`` to the ``evidencekit`` parser."""
    s = sub.add_parser("search", help="find ILOSTAT indicators by words",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       epilog="examples:\n  evidencekit search youth unemployment\n  evidencekit search NEET\n"
                              "  evidencekit search 8.5.2",
                       description="Search the ILOSTAT catalogue (labels and ids; case, accents and word endings "
                                   "aside; acronyms such as NEET and SDG numbers such as 8.5.2 work).")
    s.add_argument("text", nargs="+", help="words to look for, e.g. unemployment")
    s.add_argument("--limit", type=int, default=20, help="how many results (default 20)")
    offline_option(s)
    s.set_defaults(func=cmd_search)

    g = sub.add_parser("get", help="download one indicator (filtered) with its citation",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="Get one ILOSTAT dataset. Codes may be repeated or comma-separated.",
                       epilog="examples:\n  evidencekit get SDG_0852_SEX_AGE_RT_A --ref-area PHL --out phl.csv\n"
                              "  evidencekit get SDG_0861_SEX_RT_A --ref-area ASEAN --sex T --start 2015\n"
                              "  evidencekit get UNE_DEAP_SEX_AGE_RT_A --ref-area KEN USA --sex T --start 2015 --labels")
    g.add_argument("id", help="dataset id with its frequency, e.g. SDG_0852_SEX_AGE_RT_A (see: evidencekit search)")
    for flag, what in (("--ref-area", "area codes, e.g. PHL IDN, a named group (ASEAN, ASEAN10) or an area's name "
                                      "(see: evidencekit areas --groups)"),
                       ("--sex", "SEX_T, SEX_M, SEX_F (or T, M, F)"),
                       ("--classif1", "first classification codes, e.g. AGE_YTHADULT_Y15-24"),
                       ("--classif2", "second classification codes"),
                       ("--source", "source codes, e.g. BA:453")):
        g.add_argument(flag, nargs="+", metavar="CODE", help=what)
    g.add_argument("--start", help="first period: 2015, 2022Q1 or 2022M01")
    g.add_argument("--end", help="last period: 2024, 2024Q4 or 2024M12")
    g.add_argument("--labels", action="store_true", help="add <column>.label columns")
    g.add_argument("--out", metavar="FILE", help="save all rows to FILE (.csv, .xlsx or .parquet), with the citation")
    g.add_argument("--rows", type=int, default=10, help="rows shown in the preview (default 10)")
    offline_option(g)
    g.set_defaults(func=cmd_get)

    a = sub.add_parser("areas", help="list reference areas with ILO regions and income groups, and named groups",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       epilog="examples:\n  evidencekit areas --group ASEAN\n  evidencekit areas --groups\n"
                              "  evidencekit areas --group \"Asia and the Pacific\"")
    a.add_argument("--group", metavar="NAME", help="only the members of a named group (ASEAN, ASEAN10) or of an "
                   "ILOSTAT aggregate (code or name)")
    a.add_argument("--groups", action="store_true", help="list the named groups and ILOSTAT aggregates with their members")
    offline_option(a)
    a.set_defaults(func=cmd_areas)

    sn = sub.add_parser("snapshot", help="build or describe the offline snapshot")
    snsub = sn.add_subparsers(dest="snapshot_command", metavar="ACTION")
    b = snsub.add_parser("build", help="build the snapshot from a folder of ILOSTAT files",
                         description="Turn ILOSTAT files (bulk CSV, explorer exports, DDF) into the Parquet snapshot.",
                         epilog="example: evidencekit snapshot build --from ilostat-downloads --out my-snapshot")
    b.add_argument("--from", dest="src", required=True, metavar="DIR", help="folder of ILOSTAT-format files")
    where = b.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", metavar="DIR", help="the folder to write it to (new, empty, or a snapshot it replaces)")
    where.add_argument("--into-package", action="store_true",
                       help="replace the snapshot embedded in the installed package (for maintainers)")
    b.add_argument("--releases", metavar="FILE", help="release record (JSON) giving files' release dates by sha256 "
                   "(default: releases.json in --from, else the project's own)")
    b.add_argument("--quiet", action="store_true", help="no progress bar")
    b.set_defaults(func=cmd_snapshot_build)
    i = snsub.add_parser("info", help="what the snapshot holds (datasets, releases, licence)")
    i.add_argument("--path", metavar="DIR", help="a snapshot folder (default: the embedded one)")
    i.set_defaults(func=cmd_snapshot_info)
    sn.set_defaults(func=lambda args, out: missing(sn))

    c = sub.add_parser("cache", help="manage the local cache of ILOSTAT answers")
    csub = c.add_subparsers(dest="cache_command", metavar="ACTION")
    cc = csub.add_parser("clear", help="delete the cached ILOSTAT files")
    cc.set_defaults(func=cmd_cache_clear)
    c.set_defaults(func=lambda args, out: missing(c))
