"""What every ``evidencekit`` sub-command shares: code lists, tables on the terminal, the origin line, saving.

>>> codes(["IDN,PHL", "THA"])
['IDN', 'PHL', 'THA']
"""
from __future__ import annotations

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
