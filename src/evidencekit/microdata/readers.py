"""Read a survey file into a :class:`Survey`: CSV, Excel, Stata, SPSS, Parquet and CSPro.

Rules every reader follows: the file must exist and hold at least one record; every record in the
file becomes one row (nothing dropped); value labels and variable labels are kept when the format
has them; what was detected (encoding, delimiter, record type) is said in ``survey.notes``.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "lfs.csv").write_bytes("région;poids;sexe\\nÎle;1,5;1\\nNord;2,0;2\\n".encode("cp1252"))
>>> s = read(folder / "lfs.csv", weight="poids")
>>> s.data["poids"].tolist()
[1.5, 2.0]
>>> [n for n in s.notes if n.startswith("Encoding")]
["Encoding: not UTF-8; read as 'cp1252' (Windows Western European; a superset of latin-1)."]
"""
from __future__ import annotations

import csv
import io
from os import PathLike
from pathlib import Path
from typing import Any

import pandas as pd

from evidencekit.microdata.errors import ColumnError, FileFormatError, MissingFileError, suggest
from evidencekit.microdata.survey import Survey

SUPPORTED = {
    ".csv": "CSV", ".tsv": "CSV", ".txt": "CSV", ".xlsx": "Excel", ".xlsm": "Excel",
    ".dta": "Stata", ".sav": "SPSS", ".zsav": "SPSS", ".parquet": "Parquet", ".pq": "Parquet",
    ".dcf": "CSPro dictionary (with its fixed-width data file)",
}
_DELIMITERS = [",", ";", "\t", "|"]


def supported_formats() -> str:
    """The extensions ``read`` knows, for messages.

    >>> supported_formats().startswith(".csv")
    True
    """
    return ", ".join(SUPPORTED)


def read(
    path: str | PathLike,
    *,
    data: str | PathLike | None = None,
    weight: str | None = None,
    strata: str | None = None,
    psu: str | None = None,
    nest: bool = True,
    fpc: str | None = None,
    mapping: Any = None,
    sheet: str | int | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    columns: list[str] | None = None,
    record: str | None = None,
) -> Survey:
    """Read a survey file (by its extension) into a :class:`Survey`, optionally harmonised by ``mapping``.

    ``data`` is the fixed-width data file of a CSPro ``.dcf`` (default: same stem with ``.dat``,
    ``.F2`` or ``.txt``); ``record`` picks a CSPro record type when the file has several. ``mapping``
    is a shipped mapping's name (see :func:`list_mappings`), a YAML path, a dict or a
    :class:`Mapping`; its design (weight, strata, PSU) is used for each role the caller leaves empty.
    ``columns`` keeps only those columns (plus the ones the mapping and the design need).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "tiny.csv"
    >>> _ = p.write_text("id,wgt,sex\\n1,10.5,1\\n2,20,2\\n")
    >>> read(p, weight="wgt")
    <Survey from 'tiny.csv': 2 records, 3 columns; weight='wgt'>
    >>> read(p, weight="wght")
    Traceback (most recent call last):
    ...
    evidencekit.microdata.errors.ColumnError: The weight column 'wght' of the survey 'tiny.csv': is not in the data. What to do: use 'wgt' instead (pass weight=<column name>).
    """
    from evidencekit.microdata.mapping import apply_mapping, as_mapping

    path = _check_path(path)
    ext = path.suffix.lower()
    if ext not in SUPPORTED:
        hint = f"supported: {supported_formats()}"
        for dcf in (path.with_suffix(".dcf"), path.with_suffix(".DCF")):
            if dcf.exists():
                hint = f"this looks like CSPro data: read the dictionary instead, read({str(dcf)!r}, data={str(path)!r})"
        raise FileFormatError(f"Reading {str(path)!r}", f"the extension {path.suffix or '(none)'!r} is not a survey format evidencekit reads", hint)

    kind = SUPPORTED[ext]
    _check_options(path, kind, data=data, record=record, sheet=sheet, delimiter=delimiter, encoding=encoding)
    the_mapping = as_mapping(mapping) if mapping is not None else None
    wanted = None
    if columns is not None:
        made = set(the_mapping.variables) if the_mapping else set()
        wanted = [c for c in dict.fromkeys(list(columns) + [c for c in (weight, strata, psu, fpc) if c]
                                           + (the_mapping.source_columns() if the_mapping else [])) if c not in made]

    notes: list[str] = []
    value_labels: dict[str, dict] = {}
    variable_labels: dict[str, str] = {}
    if kind == "CSV":
        frame = _read_csv(path, delimiter, encoding, notes)
    elif kind == "Excel":
        frame = _read_excel(path, sheet, notes)
    elif kind in ("Stata", "SPSS"):
        frame, value_labels, variable_labels = _read_readstat(path, kind, encoding, notes)
    elif kind == "Parquet":
        frame = _read_parquet(path, notes)
    else:
        from evidencekit.microdata.cspro import read_cspro

        survey = read_cspro(path, data=data, record=record)
        frame, value_labels, variable_labels, notes = survey.data, survey.value_labels, survey.variable_labels, survey.notes
    if frame.shape[1] == 0 or len(frame) == 0:
        raise FileFormatError(f"Reading {str(path)!r}", "the file holds no records" if frame.shape[1] else "the file is empty",
                              "check that this is the right file and that it was exported completely")
    frame.columns = [str(c) for c in frame.columns]
    if wanted is not None:
        missing = [c for c in wanted if c not in frame.columns]
        if missing:
            raise ColumnError(f"Reading columns {missing} from {str(path)!r}", "they are not in the file",
                              suggest(missing[0], frame.columns))
        frame = frame[wanted]
        value_labels = {k: v for k, v in value_labels.items() if k in wanted}
        variable_labels = {k: v for k, v in variable_labels.items() if k in wanted}

    survey = Survey(frame, value_labels=value_labels, variable_labels=variable_labels, source=path.name, notes=notes)
    if the_mapping is not None:
        survey = apply_mapping(survey, the_mapping)
    design = {"weight": weight, "strata": strata, "psu": psu, "fpc": fpc}
    if the_mapping is not None:
        nest = the_mapping.design.get("nest", nest) if not (weight or strata or psu) else nest
        for role in design:
            if design[role] is None and the_mapping.design.get(role):
                design[role] = the_mapping.design[role]
    return Survey(survey.data, nest=nest, value_labels=survey.value_labels, variable_labels=survey.variable_labels,
                  source=survey.source, mapping=survey.mapping, notes=survey.notes, **design)


_OPTIONS = {  # option -> the formats it applies to
    "data": ("CSPro",), "record": ("CSPro",), "sheet": ("Excel",), "delimiter": ("CSV",), "encoding": ("CSV", "Stata", "SPSS"),
}


def _check_options(path: Path, kind: str, **given: object) -> None:
    family = kind.split(" ")[0]
    for option, value in given.items():
        if value is not None and family not in _OPTIONS[option]:
            raise FileFormatError(f"Reading {str(path)!r} ({kind})", f"{option}= applies only to {' and '.join(_OPTIONS[option])} files",
                                  f"leave {option}= out for this file")


def _check_path(path: str | PathLike) -> Path:
    if not isinstance(path, (str, PathLike)):
        raise FileFormatError("Reading a survey", f"the path is a {type(path).__name__}, not a file name",
                              "pass the file's path as text, e.g. read('lfs.csv')")
    path = Path(path).expanduser()
    if path.is_dir():
        raise FileFormatError(f"Reading {str(path)!r}", "it is a folder, not a file",
                              f"pass one file inside it ({supported_formats()})")
    if not path.exists():
        near = sorted(p.name for p in path.parent.glob("*")) if path.parent.is_dir() else []
        hint = suggest(path.name, near) if near else f"the folder {str(path.parent)!r} does not exist either"
        raise MissingFileError(f"Reading {str(path)!r}", "the file does not exist", f"check the path; {hint}")
    return path


def detect_encoding(raw: bytes) -> tuple[str, str]:
    """The encoding of a text file's bytes and a sentence saying why.

    UTF-8 with a BOM -> ``utf-8-sig``; UTF-16 with a BOM -> ``utf-16``; valid UTF-8 -> ``utf-8``;
    otherwise ``cp1252`` (Windows
    Western European, what Excel and most national offices' Windows tools write), or ``latin-1``
    when the bytes are not valid cp1252.

    >>> detect_encoding("Île".encode("utf-8"))[0], detect_encoding("Île".encode("cp1252"))[0]
    ('utf-8', 'cp1252')
    >>> detect_encoding(b"\\xef\\xbb\\xbfa,b")[0]
    'utf-8-sig'
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig", "Encoding: UTF-8 with a byte-order mark (BOM)."
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16", "Encoding: UTF-16 with a byte-order mark (what Excel's 'Unicode text' export writes)."
    try:
        raw.decode("utf-8")
        return "utf-8", "Encoding: UTF-8."
    except UnicodeDecodeError:
        pass
    try:
        raw.decode("cp1252")
        return "cp1252", "Encoding: not UTF-8; read as 'cp1252' (Windows Western European; a superset of latin-1)."
    except UnicodeDecodeError:
        return "latin-1", "Encoding: neither UTF-8 nor cp1252; read as 'latin-1'."


def _decode(path: Path, raw: bytes, encoding: str | None, notes: list[str]) -> str:
    if encoding is None:
        encoding, note = detect_encoding(raw)
        notes.append(note)
    else:
        notes.append(f"Encoding: {encoding!r} (given).")
    try:
        return raw.decode(encoding)
    except LookupError:
        raise FileFormatError(f"Reading {str(path)!r}", f"{encoding!r} is not an encoding Python knows",
                              "pass encoding='utf-8', 'cp1252' or 'latin-1', or leave it out to detect it") from None
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise FileFormatError(
            f"Reading {str(path)!r} as {encoding!r}",
            f"byte {raw[err.start:err.start + 1]!r} at line {line} is not valid in that encoding",
            "leave encoding= out to let evidencekit detect it, or pass the encoding the file was saved in "
            "(often 'cp1252' or 'latin-1' for files from Windows/Excel)",
        ) from None


def _read_csv(path: Path, delimiter: str | None, encoding: str | None, notes: list[str]) -> pd.DataFrame:
    raw = path.read_bytes()
    if not raw.strip():
        raise FileFormatError(f"Reading {str(path)!r}", "the file is empty", "check that this is the right file and that it was exported completely")
    text = _decode(path, raw, encoding, notes)
    if text.startswith("\ufeff"):
        text = text[1:]
    if delimiter is None:
        delimiter = _sniff_delimiter(text, path)
        notes.append(f"Delimiter: {delimiter!r} (detected).")
    try:
        frame = pd.read_csv(io.StringIO(text), sep=delimiter, skip_blank_lines=True, low_memory=False)
    except pd.errors.EmptyDataError:
        raise FileFormatError(f"Reading {str(path)!r}", "the file has no header and no records",
                              "check that this is the right file") from None
    except pd.errors.ParserError as err:
        raise FileFormatError(f"Reading {str(path)!r} with delimiter {delimiter!r}", f"a row has more fields than the header ({err})",
                              "check the delimiter (pass delimiter=...) and quote text fields that contain the delimiter") from None
    dup = [c for c in frame.columns if "." in str(c) and str(c).rsplit(".", 1)[0] in frame.columns and str(c).rsplit(".", 1)[1].isdigit()]
    if dup:
        notes.append(f"Repeated column names were renamed by adding .1, .2: {dup}.")
    if delimiter != ",":
        converted = _decimal_commas(frame)
        if converted:
            notes.append(f"Decimal mark ',' read as numbers in columns {converted}.")
    return frame


def _decimal_commas(frame: pd.DataFrame) -> list[str]:
    """Turn text columns written with decimal commas ('1,5') into numbers, in place; return their names."""
    done = []
    for col in frame.columns:
        s = frame[col]
        if pd.api.types.is_numeric_dtype(s) or s.isna().all():
            continue
        text = s.dropna().astype(str).str.strip()
        if text.str.fullmatch(r"[+-]?\d+(,\d+)?").all() and text.str.contains(",", regex=False).any():
            frame[col] = pd.to_numeric(s.astype("string").str.strip().str.replace(",", ".", regex=False)).astype("float64")
            done.append(str(col))
    return done


def _sniff_delimiter(text: str, path: Path) -> str:
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters="".join(_DELIMITERS)).delimiter
    except csv.Error:
        header = sample.splitlines()[0] if sample else ""
        counts = {d: header.count(d) for d in _DELIMITERS}
        best = max(counts, key=counts.get)
        if counts[best] == 0:
            return ","  # a single column
        return best


def _read_excel(path: Path, sheet: str | int | None, notes: list[str]) -> pd.DataFrame:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many kinds for damaged files
        raise FileFormatError(f"Reading {str(path)!r}", f"it is not a readable .xlsx workbook ({type(err).__name__})",
                              "open it in Excel/LibreOffice and save it again as .xlsx, or export it as CSV") from None
    names = book.sheetnames
    book.close()
    if sheet is None:
        sheet = names[0]
        if len(names) > 1:
            notes.append(f"Sheet: {sheet!r} (the first of {names}; pass sheet= for another).")
    elif isinstance(sheet, int):
        if not 0 <= sheet < len(names):
            raise FileFormatError(f"Reading sheet {sheet} of {str(path)!r}", f"the workbook has {len(names)} sheet(s): {names}",
                                  "pass sheet= as one of those names or a number from 0")
        sheet = names[sheet]
    elif sheet not in names:
        raise FileFormatError(f"Reading sheet {sheet!r} of {str(path)!r}", "there is no such sheet", suggest(sheet, names))
    return pd.read_excel(path, sheet_name=sheet, engine="openpyxl")


def _read_readstat(path: Path, kind: str, encoding: str | None, notes: list[str]) -> tuple[pd.DataFrame, dict, dict]:
    import pyreadstat

    reader = pyreadstat.read_dta if kind == "Stata" else pyreadstat.read_sav
    options: dict = {"encoding": encoding} if encoding else {}
    if kind == "SPSS":
        options["user_missing"] = True  # read the codes, then set them missing here, counting them
    try:
        frame, meta = reader(str(path), **options)
    except pyreadstat.ReadstatError as err:
        raise FileFormatError(f"Reading {str(path)!r} as {kind}", f"the file is damaged or not a {kind} file ({err})",
                              f"save it again from {kind}, or pass encoding= if the text is garbled") from None
    except UnicodeDecodeError:
        raise FileFormatError(f"Reading {str(path)!r} as {kind}", "its text is not in the encoding the file declares",
                              "pass encoding='cp1252' or 'latin-1' (old Stata files are usually latin-1)") from None
    value_labels = {col: dict(labels) for col, labels in meta.variable_value_labels.items()}
    variable_labels = {c: lab for c, lab in meta.column_names_to_labels.items() if lab}
    if meta.file_encoding:
        notes.append(f"Encoding: {meta.file_encoding!r} (declared by the file).")
    if value_labels:
        notes.append(f"Value labels kept for {len(value_labels)} columns; the data hold the codes.")
    counts = _spss_user_missing(frame, getattr(meta, "missing_ranges", {}) or {}) if kind == "SPSS" else {}
    if counts:
        shown = ", ".join(f"{c} ({n})" for c, n in list(counts.items())[:10]) + (" …" if len(counts) > 10 else "")
        notes.append(f"User-defined missing values (e.g. 'don't know' codes) set to missing, as SPSS does: {shown} records.")
    return frame, value_labels, variable_labels


def _spss_user_missing(frame: pd.DataFrame, ranges: dict[str, list[dict]]) -> dict[str, int]:
    """Set SPSS user-missing codes (discrete values or lo..hi ranges) to missing; return counts per column."""
    counts = {}
    for col, spans in ranges.items():
        if col not in frame.columns:
            continue
        hit = pd.Series(False, index=frame.index)
        for span in spans:
            lo, hi = span.get("lo"), span.get("hi")
            hit |= ((frame[col] >= lo) & (frame[col] <= hi)).fillna(False) if lo != hi else (frame[col] == lo).fillna(False)
        if hit.any():
            frame.loc[hit.to_numpy(), col] = None
            counts[col] = int(hit.sum())
    return counts


def _read_parquet(path: Path, notes: list[str]) -> pd.DataFrame:
    import pyarrow

    try:
        return pd.read_parquet(path)
    except (pyarrow.ArrowInvalid, OSError) as err:
        raise FileFormatError(f"Reading {str(path)!r} as Parquet", f"the file is damaged or not Parquet ({err})",
                              "write it again with pandas/pyarrow/R arrow, or export it as CSV") from None
