"""Write any evidencekit frame to CSV, XLSX or Parquet — formula-safe and with its citation.

One function, :func:`write`, serves the CLI's ``--out``, the app's downloads and notebooks.

- **Formula-safe** (OWASP "CSV injection"): a text cell *or a column name* that a spreadsheet would run as a
  formula — starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return — gets a leading ``'``;
  numbers (``-2.5``) are left as they are.
- **Cited**: ILOSTAT figures are CC BY 4.0, so the citation travels with the rows. CSV: comment lines
  starting with ``#`` above the header (read back with :func:`read_csv`, or ``pd.read_csv(path, skiprows=n)``);
  XLSX: a second sheet ``about``; Parquet: the frame's ``attrs`` in the file's metadata. What is written
  comes from ``df.attrs``: the provenance (citation, source, release, licence, query) and, for estimates,
  the survey, its design and the confidence level.

>>> import tempfile, pathlib
>>> df = pd.DataFrame({"=label": ["=1+2", "-3.5", "ok"], "value": [1.0, -2.0, 3.0]})
>>> df.attrs["provenance"] = {"citation": "ILOSTAT, International Labour Organization. X_A. Licence: CC BY 4.0."}
>>> path = write(df, pathlib.Path(tempfile.mkdtemp()) / "x.csv")
>>> print(path.read_text().splitlines()[0])
# Citation: ILOSTAT, International Labour Organization. X_A. Licence: CC BY 4.0.
>>> read_csv(path).columns.tolist(), read_csv(path)["'=label"].tolist()
(["'=label", 'value'], ["'=1+2", '-3.5', 'ok'])
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

import pandas as pd

from evidencekit.errors import InputError

FORMATS = (".csv", ".xlsx", ".parquet")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FIRST = ("citation", "title", "source", "publisher", "licence", "licence_url", "origin", "stale", "dataset",
          "vintage", "retrieved_at", "url", "snapshot_id")


def _risky(text: str) -> bool:
    """True when a spreadsheet would run ``text`` as a formula (a number such as ``-2.5`` is not)."""
    if not text.startswith(FORMULA_START):
        return False
    try:
        float(text)
        return False
    except ValueError:
        return True


def safe_text(value: object) -> object:
    """``value`` with a leading ``'`` when it is text a spreadsheet would run as a formula.

    >>> safe_text("=SUM(A1)"), safe_text("-2.5"), safe_text(3), safe_text("Total")
    ("'=SUM(A1)", '-2.5', 3, 'Total')
    """
    return "'" + value if isinstance(value, str) and _risky(value) else value


def neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``df`` whose column names and text cells cannot run as spreadsheet formulas (see module doc)."""
    out = df.copy()
    out.attrs = dict(df.attrs)
    out.columns = [safe_text(str(c)) if isinstance(c, str) else c for c in out.columns]
    for i in range(out.shape[1]):
        s = out.iloc[:, i]
        if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_datetime64_any_dtype(s) or pd.api.types.is_bool_dtype(s):
            continue
        text = s.astype("string")
        risky = text.str.startswith(FORMULA_START).fillna(False)
        if not risky.any():
            continue
        numeric = pd.to_numeric(text.where(risky), errors="coerce").notna()
        flag = (risky & ~numeric).to_numpy(bool)
        if flag.any():
            s = s.astype(object).copy()
            s[flag] = "'" + text[flag].astype(str)
            out.isetitem(i, s)
    return out


def _flat(prefix: str, value: object) -> Iterable[tuple[str, str]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _flat(f"{prefix}.{k}" if prefix else str(k), v)
    elif isinstance(value, (list, tuple, set)):
        if all(not isinstance(v, (dict, list, tuple)) for v in value):
            yield prefix, ", ".join("" if v is None else str(v) for v in value)
        else:
            yield prefix, json.dumps(value, default=str)
    elif value is not None and value != "":
        yield prefix, str(value)


def about(df: pd.DataFrame) -> list[tuple[str, str]]:
    """What is known of where ``df`` comes from, as ``(field, value)`` rows, the citation first.

    Built from ``df.attrs``: ``provenance`` (citation, source, release, licence, query, …) then every other
    entry (an estimate's ``design``, ``ci``, ``icls_basis``, ``legend`` …), nested keys joined with dots.

    >>> df = pd.DataFrame({"a": [1]})
    >>> df.attrs = {"provenance": {"origin": "snapshot", "citation": "C."}, "ci": {"level": 0.95}}
    >>> about(df)
    [('citation', 'C.'), ('origin', 'snapshot'), ('ci.level', '0.95')]
    """
    attrs = dict(df.attrs or {})
    prov = dict(attrs.pop("provenance", None) or {})
    rows: list[tuple[str, str]] = []
    for key in _FIRST:
        if key in prov:
            rows.extend(_flat(key, prov.pop(key)))
    for key, value in prov.items():
        rows.extend(_flat(key, value))
    for key, value in attrs.items():
        if key in prov:
            continue  # said once, from the provenance (an estimate keeps attrs["design"] for older readers)
        rows.extend(_flat(key, value))
    if not any(k == "citation" for k, _ in rows):
        rows.insert(0, ("citation", "none recorded: say where these figures come from before you use them"))
    return rows


def check_target(path: str | Path) -> Path:
    """``path`` as a :class:`Path`, refused at once when its extension is not one :func:`write` knows.

    >>> check_target("out.txt")
    Traceback (most recent call last):
    ...
    evidencekit.errors.InputError: The output file 'out.txt': has an extension evidencekit cannot write. What to do: end the name with .csv, .xlsx or .parquet.
    """
    target = Path(path)
    if target.suffix.lower() not in FORMATS:
        raise InputError(f"The output file {str(path)!r}", "has an extension evidencekit cannot write",
                         "end the name with .csv, .xlsx or .parquet")
    return target


def write(df: pd.DataFrame, path: str | Path) -> Path:
    """Write ``df`` to ``path`` (``.csv``, ``.xlsx`` or ``.parquet``), formula-safe, with its citation.

    The file is written beside its final name and renamed into place, so a failure never leaves half a file
    where a good one was. Returns the path written.
    """
    target = check_target(path)
    rows = about(df)
    suffix = target.suffix.lower()
    tmp = target.with_name(f".{target.name}.part")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".csv":
            safe = neutralise_formulas(df)
            with open(tmp, "w", encoding="utf-8", newline="") as fh:
                for key, value in rows:
                    fh.write(f"# {key.replace('_', ' ').capitalize() if key == 'citation' else key}: "
                             f"{' '.join(value.split())}\n")
                safe.to_csv(fh, index=False, date_format="%Y-%m-%d")
        elif suffix == ".xlsx":
            safe = neutralise_formulas(df)
            safe.attrs = {}
            info = pd.DataFrame(rows, columns=["field", "value"]).map(safe_text)
            with pd.ExcelWriter(tmp, engine="openpyxl") as xl:
                safe.to_excel(xl, index=False, sheet_name="data")
                info.to_excel(xl, index=False, sheet_name="about")
        else:
            out = df.copy()
            out.attrs = json.loads(json.dumps(df.attrs, default=str))
            out.to_parquet(tmp, index=False)
        tmp.replace(target)
    except OSError as err:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        raise InputError(f"Writing {target}", str(err), "choose a folder you can write to") from None
    return target


def read_csv(path: str | Path, **kwargs) -> pd.DataFrame:
    """Read a CSV written by :func:`write` (its ``#`` citation lines skipped; they are in ``attrs['about']``)."""
    lines = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.startswith("# "):
                break
            lines.append(line[2:].rstrip("\n"))
    df = pd.read_csv(path, skiprows=len(lines), **kwargs)
    df.attrs["about"] = lines
    return df
