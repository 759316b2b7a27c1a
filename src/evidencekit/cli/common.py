"""What every ``evidencekit`` sub-command shares: code lists, tables on the terminal, the origin line, saving.

>>> codes(["IDN,PHL", "THA"])
['IDN', 'PHL', 'THA']
"""
from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Sequence

import pandas as pd

from evidencekit import export


def codes(values: list[str] | None) -> list[str] | None:
    """``--ref-area IDN PHL`` or ``--ref-area IDN,PHL`` -> ``["IDN", "PHL"]``."""
    if not values:
        return None
    return [part.strip() for v in values for part in v.split(",") if part.strip()]


def origin_line(prov: dict) -> str:
    """Where an ILOSTAT answer came from, in one line (live, local cache or offline snapshot; STALE when so)."""
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


def client(args):
    """The ILOSTAT client for a command (``--offline`` forces offline and ``--deadline`` sets the time allowed for a
    request; otherwise the environment decides)."""
    from evidencekit.ilostat import Client

    deadline = getattr(args, "deadline", None)
    return Client(offline=True if getattr(args, "offline", False) else None,
                  **({"deadline": deadline} if deadline is not None else {}))


def print_table(df: pd.DataFrame, columns: Sequence[str], out, max_colwidth: int = 70) -> None:
    """The named columns of ``df`` (those it has) as a plain-text table."""
    cols = [c for c in columns if c in df.columns]
    with pd.option_context("display.width", 160, "display.max_colwidth", max_colwidth, "display.max_rows", 400):
        print(df[cols].to_string(index=False), file=out)


def blanks(df: pd.DataFrame) -> pd.DataFrame:
    """Text columns with missing values shown blank (not ``<NA>``); numbers untouched."""
    out = df.copy()
    for col in out.columns:
        if not pd.api.types.is_numeric_dtype(out[col]) and not pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].astype("string").fillna("")
    return out


def group_lines(prov: dict) -> list[str]:
    """One line per named group or aggregate name an answer was asked with (from ``provenance["query"]``).

    >>> group_lines({"query": {"groups": {"ASEAN10": {"kind": "named group", "members": ["BRN", "IDN"],
    ...                                               "membership": "ASEAN-10: …"}}}})
    ["Group ASEAN10 (ASEAN-10: …): BRN, IDN — each member's own rows"]
    """
    out = []
    for name, g in ((prov.get("query") or {}).get("groups") or {}).items():
        if g.get("kind") == "named group":
            out.append(f"Group {name} ({g.get('membership')}): {', '.join(g.get('members') or [])} — each member's own rows")
        else:
            members = f": members {', '.join(g['members'])}" if g.get("members") else ""
            out.append(f"{name} = {g.get('code')}: an ILOSTAT aggregate, one figure computed by the ILO (not its "
                       f"members' own rows, and not the ASEAN group){members}")
    return out


def target(out: str | None) -> Path | None:
    """The ``--out`` file, checked before any work is done (a wrong extension fails at once)."""
    return export.check_target(out) if out else None


def save(df: pd.DataFrame, path: Path, out) -> None:
    """Write ``df`` to ``path`` with :func:`evidencekit.export.write` (formula-safe, cited) and say so."""
    export.write(df, path)
    print(f"Wrote {len(df)} rows to {path} (with its citation{' in the sheet about' if path.suffix.lower() == '.xlsx' else ''}).",
          file=out)


# -- messages in the command line's words -------------------------------------------------------------------
_OPTIONS: dict[str, str] = {}   # library argument -> command option, filled by use_options() from the parser
ALIASES: dict[str, str] = {"path": "--file"}   # library arguments whose option has another name
PHRASES: dict[str, str] = {   # library phrases the commands say otherwise
    "weight=False": "--unweighted",
    "evidencekit.indicators.catalogue()": "evidencekit estimate --list",
}
_VALUE = r"""(?:'([^']*)'|"([^"]*)"|\[([^\]]*)\]|(<[^>]*>|[^\s,;()]+))"""


def options_of(parser: argparse.ArgumentParser) -> dict[str, str]:
    """Every option of ``parser`` and its sub-commands, by the Python name the library uses (``dest``).

    >>> from evidencekit.cli import build_parser
    >>> options_of(build_parser())["ref_area"], options_of(build_parser())["offline"]
    ('--ref-area', '--offline')
    """
    found: dict[str, str] = {}
    stack = [parser]
    while stack:
        p = stack.pop()
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                stack.extend(action.choices.values())
            elif action.option_strings and action.dest not in ("help", "version"):
                found.setdefault(action.dest, max(action.option_strings, key=len))
    return found


def use_options(parser: argparse.ArgumentParser) -> None:
    """Take the options of ``parser`` as the words :func:`cli_words` uses."""
    _OPTIONS.clear()
    _OPTIONS.update(options_of(parser))
    _OPTIONS.update(ALIASES)


def cli_words(text: str, options: dict[str, str] | None = None) -> str:
    """A library message in the command line's words: ``weight='ilo_wgt'`` -> ``--weight ilo_wgt``,
    ``offline=True`` -> ``--offline``, ``ref_area=['PHL', 'IDN']`` -> ``--ref-area PHL IDN``,
    ``weight=False`` -> ``--unweighted`` (:data:`PHRASES`). ``options``: library name -> option (default: those
    of the command being run).

    >>> cli_words("pass weight='ilo_wgt', or set offline=True; ref_area=['PHL', 'IDN']; weight=<column name>",
    ...           {"weight": "--weight", "offline": "--offline", "ref_area": "--ref-area"})
    'pass --weight ilo_wgt, or set --offline; --ref-area PHL IDN; --weight <column name>'
    >>> cli_words("or weight=False; see evidencekit.indicators.catalogue()", {})
    'or --unweighted; see evidencekit estimate --list'
    """
    for phrase, said in PHRASES.items():
        text = text.replace(phrase, said)
    options = _OPTIONS if options is None else options
    if not options:
        return text
    names = "|".join(re.escape(n) for n in sorted(options, key=len, reverse=True))

    def repl(m: re.Match) -> str:
        flag = options[m.group(1)]
        quoted1, quoted2, listed, bare = m.group(2), m.group(3), m.group(4), m.group(5)
        if bare == "True":
            return flag
        if listed is not None:
            return " ".join([flag, *(s.strip().strip("'\"") for s in listed.split(",") if s.strip())])
        value = next(v for v in (quoted1, quoted2, bare) if v is not None)
        if value and " " in value and not value.startswith("<"):
            value = f"'{value}'"
        return f"{flag} {value}" if value else flag

    return re.sub(rf"(?<![\w.-])({names})=(?!=){_VALUE}", repl, text)
