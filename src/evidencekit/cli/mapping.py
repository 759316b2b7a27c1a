"""``evidencekit mapping init | check | list``: map a national survey onto the ILO harmonised variables.

``init FILE`` writes a starting mapping from the file's columns (:mod:`evidencekit.microdata.draft`), ``check FILE
--mapping M`` reads the file with a mapping and says which indicators it can give and which ILO variables are
missing for the others, ``list`` shows the mappings shipped with evidencekit. The guide: ``docs/mappings.md``.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from evidencekit.cli import common
from evidencekit.cli.estimate import _wrap
from evidencekit.errors import EvidenceKitError, InputError


def _init(args, out) -> int:
    from evidencekit.indicators import needed_by
    from evidencekit.microdata.draft import draft
    from evidencekit.microdata.mapping import Mapping
    from evidencekit.microdata.readers import load

    target = Path(args.out) if args.out else Path(Path(args.file).stem + "_mapping.yaml")
    if target.suffix.lower() not in (".yaml", ".yml"):
        raise InputError(f"--out {args.out}", "a mapping is a YAML file", "end the name with .yaml")
    if target.exists() and not args.force:
        raise InputError(f"Writing {str(target)!r}", "the file exists already (it may hold your work)",
                         "choose another name with --out, or add --force to replace it")
    loaded = load(args.file, data=args.data, sheet=args.sheet, delimiter=args.delimiter, encoding=args.encoding,
                  record=args.record, header=args.header, duplicates="keep")
    text = draft(loaded.frame, value_labels=loaded.value_labels, variable_labels=loaded.variable_labels,
                 file=Path(args.file).name, name=target.stem, needed_by=needed_by)
    target.write_text(text, encoding="utf-8")
    made = []
    try:
        made = list(Mapping.from_yaml(text).variables)
    except EvidenceKitError:
        pass
    print(f"Wrote {target}: a starting mapping for {Path(args.file).name} ({loaded.frame.shape[1]} columns, "
          f"{len(loaded.frame):,} records).", file=out)
    print(_wrap(f"Guessed (check each one): {', '.join(made) if made else 'nothing'}.", ""), file=out)
    todo = text.count("# TODO ")
    print(_wrap(f"Still to write: {todo} TODO(s) marked in the file, with the ILO codes and the indicators that need "
                "each variable. Then: evidencekit mapping check "
                f"{args.file} --mapping {target}  (guide: docs/mappings.md)", ""), file=out)
    return 0


def _check(args, out) -> int:
    from evidencekit.indicators import catalogue, computable
    from evidencekit.microdata import read

    survey = read(args.file, data=args.data, mapping=args.mapping, sheet=args.sheet, delimiter=args.delimiter,
                  encoding=args.encoding, record=args.record, header=args.header)
    can = computable(survey)
    cat = catalogue().set_index("name")
    print(f"{Path(args.file).name} with the mapping {args.mapping}: {len(survey.data):,} records; design: weight "
          f"{survey.weight or 'none'}, strata {survey.strata or 'none'}, psu {survey.psu or 'none'}.", file=out)
    print(f"\nIndicators it can give ({len(can)} of {len(cat)}):", file=out)
    for name in can:
        print(f"  {name}", file=out)
    if not can:
        print("  none yet: the mapping must make the ILO variables below (docs/mappings.md)", file=out)
    missing: dict[str, list[str]] = {}
    cols = set(survey.data.columns)
    for name in cat.index:
        if name in can:
            continue
        for var in sorted(set(cat.loc[name, "variables"].split(", ")) - cols):
            missing.setdefault(var, []).append(name)
    if missing:
        from evidencekit.microdata.codelists import ILO_VARIABLES

        print("\nILO variables the mapping does not make (and the indicators that need them):", file=out)
        for var, names in missing.items():
            print(_wrap(f"{var}: {ILO_VARIABLES.get(var, '').rstrip('.')}. Needed by: {', '.join(names)}"), file=out)
    if survey.concepts:
        print("\nNational concepts the mapping declares (estimates say so in their flags):", file=out)
        for var, concept in survey.concepts.items():
            print(_wrap(f"{var}: {concept}"), file=out)
    return 0


def _list(args, out) -> int:
    from evidencekit.microdata import list_mappings

    common.print_table(list_mappings(), ["name", "country", "survey", "period"], out)
    print("\nUse one with --mapping NAME; write your own from a file with 'evidencekit mapping init FILE' "
          "(docs/mappings.md).", file=out)
    return 0


def register(sub, missing) -> None:
    """Add ``mapping`` (init, check, list) to the ``evidencekit`` parser."""
    m = sub.add_parser("mapping", help="map a national survey onto the ILO harmonised variables",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="Write, check and list mappings from a survey's own variables to the ILO "
                                   "harmonised ones (guide: docs/mappings.md).",
                       epilog="examples:\n  evidencekit mapping init lfs.csv --out my_survey.yaml\n"
                              "  evidencekit mapping check lfs.csv --mapping my_survey.yaml\n"
                              "  evidencekit mapping list")
    msub = m.add_subparsers(dest="mapping_command", metavar="ACTION")

    def file_options(p) -> None:
        p.add_argument("file", metavar="FILE", help="survey file: .csv .xlsx .dta .sav .parquet or CSPro .dcf")
        p.add_argument("--data", metavar="FILE", help="CSPro data file (default: next to the .dcf)")
        p.add_argument("--record", metavar="NAME", help="CSPro record type, when the file holds several")
        p.add_argument("--sheet", metavar="NAME", help="Excel sheet ('all': sheets with the same columns)")
        p.add_argument("--header", type=int, metavar="N", help="row number of the column names")
        p.add_argument("--delimiter", metavar="CHAR", help="CSV delimiter (default: detected)")
        p.add_argument("--encoding", metavar="NAME", help="text encoding (default: detected)")

    init = msub.add_parser("init", help="write a starting mapping from a file's columns")
    file_options(init)
    init.add_argument("--out", metavar="FILE.yaml", help="where to write it (default: <file>_mapping.yaml here)")
    init.add_argument("--force", action="store_true", help="replace --out if it exists")
    init.set_defaults(func=_init)
    check = msub.add_parser("check", help="which indicators a file gives with a mapping, and what is missing")
    file_options(check)
    check.add_argument("--mapping", metavar="NAME", required=True, help="a shipped mapping's name or a YAML file")
    check.set_defaults(func=_check)
    lst = msub.add_parser("list", help="the mappings shipped with evidencekit")
    lst.set_defaults(func=_list)
    m.set_defaults(func=lambda args, out: missing(m))
