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
["Encoding: not UTF-8; read as 'cp1252' (Windows Western European; a superset of latin-1). If accented letters look wrong, pass encoding= (e.g. 'cp1250' Central European, 'mac_roman')."]
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from evidencekit.microdata.checks import DUPLICATES, check_memory, handle_duplicates
from evidencekit.microdata.cspro import find_data_file, load_cspro, read_dictionary
from evidencekit.microdata.encoding import codec_name as _codec
from evidencekit.microdata.encoding import detect_encoding, first_invalid
from evidencekit.microdata.errors import ColumnError, FileFormatError, MissingFileError, close_matches, suggest
from evidencekit.microdata.mapping import as_mapping, map_frame, mapping_meta, resolve_design
from evidencekit.microdata.provenance import now_utc
from evidencekit.microdata.survey import EVIDENT_WEIGHT, Survey

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
    weight: str | None | bool = None,
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
    header: int | None = None,
    duplicates: str = "check",
) -> Survey:
    """Read a survey file (by its extension) into a :class:`Survey`, optionally harmonised by ``mapping``.

    Three steps, each its own function: **load** the file into a frame with its labels and notes
    (:func:`load`), **map** it onto ILO variables (:func:`evidencekit.microdata.mapping.map_frame`), then set
    the **design** (:func:`evidencekit.microdata.mapping.resolve_design`: each role the caller leaves empty comes
    from the mapping; with no weight anywhere, an ``ilo_wgt`` column is the weight and ``notes`` says so;
    ``weight=False`` estimates unweighted on purpose).

    ``data`` is the fixed-width data file of a CSPro ``.dcf`` (default: same stem with ``.dat``,
    ``.F2`` or ``.txt``); ``record`` picks a CSPro record type when the file has several. ``mapping``
    is a shipped mapping's name (see :func:`list_mappings`), a YAML path, a dict or a
    :class:`Mapping`. ``columns`` keeps only those columns (plus the ones the mapping and the design need).
    ``header`` is the row number (1 = first, as a spreadsheet shows it) of the column names in a CSV or Excel
    file whose first rows are titles; in Excel the header row is found when not given (the rows skipped are said
    in ``notes``). ``sheet`` names the Excel sheet; a workbook with several sheets holding data needs it (or
    ``sheet="all"`` when the data continue over sheets with the same columns). ``duplicates``: records repeating
    another exactly are said (``"check"``, default; a file or a block of rows repeated is refused), kept
    (``"keep"``) or dropped (``"drop"``). The checks made on every file (size against memory, repeated records, cut
    rows, sheets, CSPro values against the dictionary) are in ``docs/microdata.md``.

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
    the_mapping = as_mapping(mapping) if mapping is not None else None
    wanted = None
    if isinstance(columns, str):
        columns = [columns]
    if columns is not None:
        made = set(the_mapping.variables) if the_mapping else set()
        roles = [c for c in (weight, strata, psu, fpc) if isinstance(c, str)]
        wanted = [c for c in dict.fromkeys(list(columns) + roles
                                           + (the_mapping.source_columns() if the_mapping else [])) if c not in made]
    evident = [EVIDENT_WEIGHT] if weight is None and not (the_mapping and the_mapping.design.get("weight")) else []
    loaded = load(path, data=data, sheet=sheet, delimiter=delimiter, encoding=encoding, columns=wanted,
                  record=record, header=header, duplicates=duplicates, optional=evident)
    frame, value_labels, variable_labels, notes, concepts = (loaded.frame, loaded.value_labels,
                                                              loaded.variable_labels, loaded.notes, {})
    meta = dict(loaded.meta)
    if the_mapping is not None:
        mapped = map_frame(frame, the_mapping, value_labels=value_labels, variable_labels=variable_labels,
                           notes=notes, source=loaded.meta["file"])
        frame, value_labels, variable_labels, notes, concepts = (mapped.data, mapped.value_labels,
                                                                  mapped.variable_labels, mapped.notes, mapped.concepts)
        meta = mapping_meta(the_mapping, meta)
    given = {"weight": weight if weight is not False else None, "strata": strata, "psu": psu, "fpc": fpc}
    design, nest, from_mapping = resolve_design(given, nest, the_mapping, notes)
    if weight is False:
        design["weight"] = False
    elif from_mapping:
        meta["weight_rule"] = "mapping"
    return Survey(frame, nest=nest, value_labels=value_labels, variable_labels=variable_labels,
                  source=loaded.meta["file"], mapping=the_mapping.name if the_mapping else None, notes=notes,
                  concepts=concepts, meta=meta, checks=loaded.checks, **design)


@dataclass
class Loaded:
    """A survey file as read, before mapping and design: the records, their labels, what was noticed
    (``notes``), problems every estimate must carry (``checks``: flag code -> explanation) and what is known of
    the file (``meta``: file name, format, size, when read)."""

    frame: pd.DataFrame
    value_labels: dict = field(default_factory=dict)
    variable_labels: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    checks: dict[str, str] = field(default_factory=dict)
    meta: dict = field(default_factory=dict)


def load(path: str | PathLike, *, data: str | PathLike | None = None, sheet: str | int | None = None,
         delimiter: str | None = None, encoding: str | None = None, columns: list[str] | None = None,
         record: str | None = None, header: int | None = None, duplicates: str = "check",
         optional: list[str] | None = None) -> Loaded:
    """Load a survey file as it is (no mapping, no design): see :func:`read` for the options; ``optional``: columns
    kept with ``columns`` when the file has them (the evident weight ``ilo_wgt``).

    Every record of the file becomes one row. Before reading, the memory the file will take is checked against the
    memory available; after, repeated records are found (:mod:`evidencekit.microdata.checks`).
    """
    path = _check_path(path)
    ext = path.suffix.lower()
    if ext not in SUPPORTED:
        hint = f"supported: {supported_formats()}"
        for dcf in (path.with_suffix(".dcf"), path.with_suffix(".DCF")):
            if dcf.exists():
                hint = f"this looks like CSPro data: read the dictionary instead, read({str(dcf)!r}, data={str(path)!r})"
        if ext == ".xls":
            hint = "open it in Excel or LibreOffice and save it as .xlsx (or export the sheet as CSV)"
        raise FileFormatError(f"Reading {str(path)!r}", f"the extension {path.suffix or '(none)'!r} is not a survey format evidencekit reads", hint)

    kind = SUPPORTED[ext]
    _check_options(path, kind, data=data, record=record, sheet=sheet, delimiter=delimiter, encoding=encoding, header=header)
    if header is not None and (isinstance(header, bool) or not isinstance(header, int) or header < 1):
        raise FileFormatError(f"Reading {str(path)!r}", f"header={header!r} is not a row number",
                              "pass the row number of the column names, counting from 1 (header=3 for the third row)")
    _check_content(path, kind)
    if duplicates not in DUPLICATES:
        raise FileFormatError(f"Reading {str(path)!r}", f"duplicates={duplicates!r} is not known",
                              "use duplicates='check' (default), 'keep' or 'drop'")
    _memory(path, kind, data)

    notes: list[str] = []
    first_line: dict[str, int] = {"lines": 0}
    value_labels: dict[str, dict] = {}
    variable_labels: dict[str, str] = {}
    if kind == "CSV":
        frame = _read_csv(path, delimiter, encoding, notes, header)
        first_line["lines"] = header or 1
    elif kind == "Excel":
        frame = _read_excel(path, sheet, notes, header, first_line)
    elif kind in ("Stata", "SPSS"):
        frame, value_labels, variable_labels = _read_readstat(path, kind, encoding, notes)
    elif kind == "Parquet":
        frame = _read_parquet(path, notes)
    else:
        frame, value_labels, variable_labels, notes = load_cspro(path, data=data, record=record)
    if frame.shape[1] == 0 or len(frame) == 0:
        raise FileFormatError(f"Reading {str(path)!r}", "the file holds no records" if frame.shape[1] else "the file is empty",
                              "check that this is the right file and that it was exported completely")
    frame.columns = _clean_names(list(frame.columns), notes)
    checks: dict[str, str] = {}
    frame = handle_duplicates(frame, path.name, duplicates, notes, checks, header_lines=first_line["lines"])
    if columns is not None:
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise ColumnError(f"Reading columns {missing} from {str(path)!r}", "they are not in the file",
                              suggest(missing[0], frame.columns))
        columns = list(columns) + [c for c in optional or [] if c in frame.columns and c not in columns]
        frame = frame[columns]
        value_labels = {k: v for k, v in value_labels.items() if k in columns}
        variable_labels = {k: v for k, v in variable_labels.items() if k in columns}
    meta = {"file": path.name, "format": kind.split(" ")[0], "bytes": path.stat().st_size, "read_at": now_utc()}
    return Loaded(frame, value_labels, variable_labels, notes, checks, meta)


def _memory(path: Path, kind: str, data: str | PathLike | None) -> None:
    """Refuse at once a file too large for the memory available (:func:`evidencekit.microdata.checks.check_memory`)."""
    if kind.startswith("CSPro"):
        d = read_dictionary(path)
        data_path = Path(data) if data is not None else find_data_file(path)
        if not data_path.exists():
            return   # the reader says so
        items = len(d.id_items) + max((len(r.items) for r in d.records), default=0)
        check_memory(path, kind, data=data_path, items=items)
    else:
        check_memory(path, kind)


_OPTIONS = {  # option -> the formats it applies to
    "data": ("CSPro",), "record": ("CSPro",), "sheet": ("Excel",), "delimiter": ("CSV",), "encoding": ("CSV", "Stata", "SPSS"),
    "header": ("CSV", "Excel"),
}
# First bytes of the formats a file may really be: (signature, what it is, its extension).
_SIGNATURES = [
    (b"PK\x03\x04", "an Excel workbook (.xlsx) or another zip archive", ".xlsx"),
    (b"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls) or another old Office file", ".xls"),
    (b"PAR1", "a Parquet file", ".parquet"),
    (b"$FL2", "an SPSS file", ".sav"),
    (b"$FL3", "a compressed SPSS file", ".zsav"),
    (b"<stata_dta>", "a Stata file", ".dta"),
]
_EXPECTED = {"CSV": (None,), "Excel": (".xlsx",), "Stata": (".dta",), "SPSS": (".sav", ".zsav"), "Parquet": (".parquet",)}


def _content(head: bytes) -> tuple[str, str | None]:
    """What a file's first bytes say it is: (description, extension); extension None for text.

    >>> _content(b"PAR1...")
    ('a Parquet file', '.parquet')
    >>> _content(b"id;poids\\n1;1,5\\n")
    ('a text (CSV) file', None)
    """
    for magic, what, ext in _SIGNATURES:
        if head.startswith(magic):
            return what, ext
    if len(head) > 3 and 0x69 <= head[0] <= 0x73 and head[1] in (1, 2) and head[2] == 1 and head[3] == 0:
        return "a Stata file (format 105-115)", ".dta"
    if b"\x00" not in head or detect_encoding(head)[0].startswith("utf-16"):
        return "a text (CSV) file", None
    return "binary data", "?"


def _check_content(path: Path, kind: str) -> None:
    """Refuse a file whose content is another format than its extension says, naming the right one."""
    if kind not in _EXPECTED:
        return
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if not head.strip():
        return  # empty: each reader says so
    what, ext = _content(head)
    if ext in _EXPECTED[kind]:
        return
    if ext == ".xls":
        fix = "open it in Excel or LibreOffice and save it as .xlsx (or export the sheet as CSV)"
    elif ext == "?":
        fix = f"check that this is the survey file; evidencekit reads {supported_formats()}"
    else:
        right = ".csv" if ext is None else ext
        fix = f"rename it to {path.stem + right!r} and read that" + (
            " (if it is a zip archive, unzip it and read the file inside)" if ext == ".xlsx" else "")
    raise FileFormatError(f"Reading {str(path)!r}", f"its name says {kind} ({path.suffix}) but its content is {what}", fix)


def _clean_names(names: list, notes: list[str]) -> list[str]:
    """Column names as text: spaces around them removed, blanks named 'Unnamed: i', repeats made unique
    with .1, .2 (each change said in ``notes``).

    >>> notes = []
    >>> _clean_names([" id ", "w", "w", None, "w.1"], notes)
    ['id', 'w', 'w.2', 'Unnamed: 3', 'w.1']
    >>> len(notes)
    3
    """
    text = ["" if n is None or (isinstance(n, float) and n != n) else str(n) for n in names]
    stripped = [t.strip() for t in text]
    spaced = [t for t, u in zip(text, stripped) if t != u]
    if spaced:
        notes.append(f"Spaces around column names removed: {spaced}.")
    out = [u or f"Unnamed: {i}" for i, u in enumerate(stripped)]
    blank = [out[i] for i, u in enumerate(stripped) if not u]
    if blank:
        notes.append(f"Columns without a name in the header were named {blank}.")
    taken, renamed = set(out), []
    seen: set[str] = set()
    for i, name in enumerate(out):
        if name in seen:
            k = 1
            while f"{name}.{k}" in taken:
                k += 1
            out[i] = f"{name}.{k}"
            taken.add(out[i])
            renamed.append(out[i])
        seen.add(name)
    if renamed:
        notes.append(f"Repeated column names were renamed by adding .1, .2: {renamed}.")
    return out


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
        raise MissingFileError(f"Reading {str(path)!r}", "the file does not exist", f"check the path; {_near(path)}")
    return path


def _near(path: Path) -> str:
    """What to say of a missing file: a file of nearly the same name in its folder (same name in other case, same
    name with another extension, or a close spelling with the same extension) — never an unrelated one.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> for name in ("lfs_2023.xlsx", "notes.csv", "LFS_2022.csv"): _ = (folder / name).write_text("x")
    >>> _near(folder / "lfs_2023.csv")
    "there is 'lfs_2023.xlsx' in the same folder: did you mean it?"
    >>> _near(folder / "lfs_2021.csv")
    "there is 'LFS_2022.csv' in the same folder: did you mean it?"
    >>> _near(folder / "nowhere.csv").startswith("no file of a similar name in")
    True
    """
    if not path.parent.is_dir():
        return f"the folder {str(path.parent)!r} does not exist either"
    files = [p for p in path.parent.iterdir() if p.is_file()]
    name, stem, ext = path.name.lower(), path.stem.lower(), path.suffix.lower()
    found = ([p.name for p in files if p.name.lower() == name]
             or [p.name for p in files if p.stem.lower() == stem]
             or close_matches(path.stem, [p.stem for p in files if p.suffix.lower() == ext], cutoff=0.85))
    if found:
        match = next(p.name for p in files if p.name == found[0] or p.stem == found[0])
        return f"there is {match!r} in the same folder: did you mean it?"
    return f"no file of a similar name in {str(path.parent)!r} ({len(files)} file(s) there)"


def _encoding(path: Path, raw: bytes, encoding: str | None, notes: list[str]) -> str:
    """The encoding to read ``raw`` with (detected, or the one given, checked), said in ``notes``; a byte that
    does not decode is an error naming its line."""
    if encoding is None:
        encoding, note = detect_encoding(raw)
        notes.append(note)
        return encoding
    notes.append(f"Encoding: {encoding!r} (given).")
    if not _codec(encoding):
        raise FileFormatError(f"Reading {str(path)!r}", f"{encoding!r} is not an encoding Python knows",
                              "pass encoding='utf-8', 'cp1252' or 'latin-1', or leave it out to detect it")
    if not _codec(encoding).startswith("utf") and detect_encoding(raw)[0] == "utf-8" and not raw.isascii():
        notes.append(f"Warning: the file is valid UTF-8, so reading it as {encoding!r} may garble accented "
                     "letters (e.g. 'é' shown as 'Ã©'); leave encoding= out to read it as UTF-8.")
    bad = first_invalid(raw, encoding)
    if bad is not None:
        line = raw[:bad].count(b"\n") + 1
        raise FileFormatError(
            f"Reading {str(path)!r} as {encoding!r}",
            f"byte {raw[bad:bad + 1]!r} at line {line} is not valid in that encoding",
            "leave encoding= out to let evidencekit detect it, or pass the encoding the file was saved in "
            "(often 'cp1252' or 'latin-1' for files from Windows/Excel)",
        )
    return encoding


def _read_csv(path: Path, delimiter: str | None, encoding: str | None, notes: list[str],
              header: int | None = None) -> pd.DataFrame:
    """A CSV file as a frame. The bytes are parsed as they are (pandas decodes them field by field), so a large
    file is held once in memory, not also as text (a 95 MB file took 1.5 GB before, 1.0 GB now)."""
    raw = path.read_bytes()
    if not raw.strip():
        raise FileFormatError(f"Reading {str(path)!r}", "the file is empty", "check that this is the right file and that it was exported completely")
    encoding = _encoding(path, raw, encoding, notes)
    if _codec(encoding).startswith("utf-16") or _codec(encoding).startswith("utf-32"):
        data, encoding = raw.decode(encoding).lstrip("\ufeff").encode("utf-8"), "utf-8"   # rare: convert once
    else:
        data = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
        encoding = "utf-8" if _codec(encoding) == "utf-8-sig" else encoding
    del raw
    if b"\x00" in data[:4096]:
        raise FileFormatError(f"Reading {str(path)!r}", "it holds zero bytes, so it is not a text file in that encoding",
                              "if it is text, pass its encoding (e.g. encoding='utf-16'); otherwise check that this is the survey file")
    if header is not None:
        cut, skipped = 0, []
        for _ in range(header - 1):
            nl = data.find(b"\n", cut)
            if nl < 0:
                break
            skipped.append(data[cut:nl].decode(encoding, errors="replace").strip())
            cut = nl + 1
        notes.append(f"Header: line {header}; the {header - 1} line(s) above it were skipped: {skipped[:5]}.")
        data = data[cut:]
    head = data[:1 << 16]
    head_text = head.decode(encoding, errors="ignore")
    if len(head) < len(data) and "\n" in head_text:
        head_text = head_text[: head_text.rindex("\n") + 1]   # whole lines only
    if delimiter is None:
        delimiter = _sniff_delimiter(head_text, path)
        notes.append(f"Delimiter: {delimiter!r} (detected).")
    else:
        _check_delimiter(path, delimiter, head_text)
    _check_last_line(path, data, encoding, delimiter, head_text, notes)
    try:
        frame = pd.read_csv(io.BytesIO(data), sep=delimiter, encoding=encoding, skip_blank_lines=True, low_memory=False)
    except pd.errors.EmptyDataError:
        raise FileFormatError(f"Reading {str(path)!r}", "the file has no header and no records",
                              "check that this is the right file") from None
    except pd.errors.ParserError as err:
        if "EOF inside string" in str(err):
            raise FileFormatError(f"Reading {str(path)!r}", "the file ends inside a quoted text field: it was cut "
                                  "short (an interrupted copy or download?)",
                                  "copy or export the file again") from None
        raise FileFormatError(f"Reading {str(path)!r} with delimiter {delimiter!r}", f"a row has more fields than the header ({err})".replace("\n", " "),
                              "check the delimiter (pass delimiter=...) and quote text fields that contain the delimiter; "
                              "if the file starts with title lines, pass header=<line number of the column names>") from None
    if not isinstance(frame.index, pd.RangeIndex):  # pandas took the extra fields of every row as an index
        raise FileFormatError(f"Reading {str(path)!r} with delimiter {delimiter!r}",
                              f"the rows have {frame.index.nlevels} field(s) more than the header line",
                              "if the file starts with title lines, pass header=<line number of the column names>; "
                              "otherwise check the delimiter (pass delimiter=...)")
    try:
        names = next(csv.reader(io.StringIO(head_text), delimiter=delimiter))
    except (csv.Error, StopIteration):
        names = []
    short = _short_rows(frame, data, encoding, delimiter)
    if short:
        notes.append(f"{len(short)} row(s) have fewer fields than the header; their last columns are read as "
                     f"missing (lines {short[:5]}{' …' if len(short) > 5 else ''}, the header being line 1); check that "
                     f"the file was exported completely.")
    commas, dots = _text_numbers(frame, decimal_comma=delimiter != ",")
    if commas:
        notes.append(f"Decimal mark ',' read as numbers in columns {commas}.")
    if dots:
        notes.append("'.' alone read as missing (how Stata and SAS export missing numbers) in columns: "
                     + ", ".join(f"{c} ({n})" for c, n in dots.items()) + ".")
    if len(names) == frame.shape[1]:
        frame.columns = names  # the header as written (pandas renames repeats itself; _clean_names says so)
    return frame


def _check_last_line(path: Path, data: bytes, encoding: str, delimiter: str, head_text: str, notes: list[str]) -> None:
    """A file that does not end with a line break may have been cut in its last row (an interrupted copy or
    download). The last row is refused when it has fewer fields than the header, or when its last value is
    shorter than every other value of that column, or has fewer decimals than all of them ('...,3' where the
    column holds '34', '1234.56' where it holds 4 decimals); otherwise it is read, and ``notes`` says to check it.

    >>> notes = []
    >>> _check_last_line(Path("x.csv"), b"a,b\\n1,22\\n2,23", "utf-8", ",", "a,b\\n", notes)
    >>> notes[0].startswith("The file does not end with a line break")
    True
    >>> _check_last_line(Path("x.csv"), b"a,b\\n1,22\\n2,23\\n3,2", "utf-8", ",", "a,b\\n", [])
    Traceback (most recent call last):
    ...
    evidencekit.microdata.errors.FileFormatError: Reading 'x.csv': its last line (line 4: '3,2') has no line break and its last value '2' is shorter than every other value of column 'b' (2 to 2 characters): the file was cut inside that number (an interrupted copy or download?). What to do: copy or export the file again; to use the records before it, delete that incomplete last line.
    """
    tail = data.rstrip(b" \t")
    if not tail or tail.endswith((b"\n", b"\r")):
        return
    start = tail.rfind(b"\n") + 1
    last = tail[start:].decode(encoding, errors="replace")
    number = data.count(b"\n") + 1
    begin = tail.rfind(b"\n", 0, max(0, start - 1 - 200_000)) + 1 if start > 200_000 else 0
    block = tail[begin:start].decode(encoding, errors="replace")
    try:
        header_fields = next(csv.reader(io.StringIO(head_text), delimiter=delimiter))
        fields = next(csv.reader(io.StringIO(last), delimiter=delimiter))
        previous = [row for row in csv.reader(io.StringIO(block), delimiter=delimiter) if row][1:][-1000:]
    except (csv.Error, StopIteration):
        return
    shown = last if len(last) <= 80 else last[:40] + " … " + last[-30:]
    where = f"its last line (line {number}: {shown!r}) has no line break and"
    fix = "copy or export the file again; to use the records before it, delete that incomplete last line"
    if len(fields) < len(header_fields):
        raise FileFormatError(f"Reading {str(path)!r}", f"{where} has {len(fields)} of the header's "
                              f"{len(header_fields)} fields: the file was cut (an interrupted copy or download?)", fix)
    col = len(fields) - 1
    value = fields[col].strip()
    others = [row[col].strip() for row in previous if len(row) > col and row[col].strip()]
    if others and re.fullmatch(r"[+-]?\d+(\.\d+)?", value) and all(re.fullmatch(r"[+-]?\d+(\.\d+)?", o) for o in others):
        name = header_fields[col] if col < len(header_fields) else col + 1
        lengths = [len(o) for o in others]
        decimals = {len(o.split(".")[1]) if "." in o else 0 for o in others}
        mine = len(value.split(".")[1]) if "." in value else 0
        if len(value) < min(lengths):
            raise FileFormatError(f"Reading {str(path)!r}", f"{where} its last value {value!r} is shorter than every "
                                  f"other value of column {name!r} ({min(lengths)} to {max(lengths)} characters): the "
                                  "file was cut inside that number (an interrupted copy or download?)", fix)
        if len(decimals) == 1 and mine < min(decimals):
            raise FileFormatError(f"Reading {str(path)!r}", f"{where} its last value {value!r} has {mine} decimal(s) "
                                  f"where every other value of column {name!r} has {min(decimals)}: the file was cut "
                                  "inside that number (an interrupted copy or download?)", fix)
    notes.append(f"The file does not end with a line break, so its last row (line {number}) may be cut short: it was "
                 f"read as it is ({shown!r}); check it against the source.")


def _short_rows(frame: pd.DataFrame, data: bytes, encoding: str, delimiter: str) -> list[int]:
    """1-based numbers (counting the header as line 1) of the lines with fewer fields than the header, which
    pandas pads with missing values. A short row leaves the last column missing, so files whose last column
    is complete cost no second pass.

    >>> data = b"a,b,c\\n1,2,3\\n4,5\\n6,7,8\\n"
    >>> _short_rows(pd.read_csv(io.BytesIO(data)), data, "utf-8", ",")
    [3]
    """
    if frame.empty or not frame.iloc[:, -1].isna().any():
        return []
    width = frame.shape[1]
    if b'"' not in data and len(delimiter) == 1 and ord(delimiter) < 128 and _codec(encoding) != "utf-16":
        # no quoting: count the delimiters of every line at once (1M lines, 105 MB: ~0.2 s; csv module ~2 s);
        # the encodings read here write ASCII delimiters and line breaks as single bytes
        raw = np.frombuffer(data, np.uint8)
        starts = np.r_[0, np.flatnonzero(raw == 10) + 1]
        starts = starts[starts < len(raw)]
        fields = np.add.reduceat((raw == ord(delimiter)).view(np.uint8), starts, dtype=np.uint32) + 1
        ends = np.r_[starts[1:], len(raw)]
        return [int(i) + 1 for i in np.flatnonzero(fields < width) if i > 0 and data[starts[i]:ends[i]].strip()]
    out = []
    reader = csv.reader(io.StringIO(data.decode(encoding)), delimiter=delimiter)
    for row in reader:
        if reader.line_num > 1 and 0 < len(row) < width and any(field.strip() for field in row):
            out.append(reader.line_num)
    return out


def _check_delimiter(path: Path, delimiter: object, text: str) -> None:
    """A given delimiter is one character, and the header line holds it unless it holds none of the usual ones."""
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        raise FileFormatError(f"Reading {str(path)!r}", f"delimiter={delimiter!r} is not one character",
                              "pass e.g. delimiter=';' or delimiter='\\t' (tab), or leave it out to detect it")
    first = text.split("\n", 1)[0]
    others = [d for d in _DELIMITERS if d != delimiter and d in first]
    if delimiter not in first and others:
        raise FileFormatError(f"Reading {str(path)!r} with delimiter {delimiter!r}",
                              f"the header line has no {delimiter!r} but has {others[0]!r}",
                              f"pass delimiter={others[0]!r}, or leave delimiter= out to detect it")


def _text_numbers(frame: pd.DataFrame, decimal_comma: bool) -> tuple[list[str], dict[str, int]]:
    """Turn text columns that hold numbers into numbers, in place: '.' alone is missing (Stata and SAS
    exports); with ``decimal_comma``, '1,5' and '1.234,5' are 1.5 and 1234.5 (dots group thousands).
    Return the columns read with decimal commas and the count of '.' per column.

    >>> f = pd.DataFrame({"a": ["1,5", "2"], "b": ["3", "."], "c": ["x", "."]})
    >>> _text_numbers(f, decimal_comma=True), f["a"].tolist(), f["c"].tolist()
    ((['a'], {'b': 1}), [1.5, 2.0], ['x', '.'])
    """
    commas, dots = [], {}
    for i, col in enumerate(frame.columns):
        s = frame.iloc[:, i]
        if pd.api.types.is_numeric_dtype(s) or s.isna().all():
            continue
        head = s.dropna().iloc[:1000].astype(str).str.strip()  # a quick look first: most text columns are words
        if not head.str.fullmatch(r"\.|[+-]?(\d[\d.,]*|\.\d+)([eE][+-]?\d+)?").all():
            continue
        text = s.astype("string").str.strip()
        dot = (text == ".").fillna(False)
        rest = text[~dot].dropna()
        if pd.to_numeric(rest, errors="coerce").notna().all():  # also a column of '.' only: all missing
            frame.isetitem(i, pd.to_numeric(text.mask(dot)).astype("float64"))
        elif decimal_comma and rest.str.fullmatch(r"[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?").all() \
                and rest.str.contains(",", regex=False).any():
            plain = text.mask(dot).str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
            frame.isetitem(i, pd.to_numeric(plain).astype("float64"))
            commas.append(str(col))
        else:
            continue
        if dot.any():
            dots[str(col)] = int(dot.sum())
    return commas, dots


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


@dataclass
class _Sheet:
    name: str
    header: tuple        # the column names (the header row found in the first 30 rows), () for an empty sheet
    rows: int | None     # rows the sheet declares (None when the file does not say)


def _sheets(path: Path) -> list[_Sheet]:
    """Every sheet of a workbook with its header row and size, read without loading the cells."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many kinds for damaged files
        raise FileFormatError(f"Reading {str(path)!r}", f"it is not a readable .xlsx workbook ({type(err).__name__})",
                              "open it in Excel/LibreOffice and save it again as .xlsx, or export it as CSV") from None
    out = []
    try:
        for ws in book.worksheets:
            top = pd.DataFrame([list(r) for r in ws.iter_rows(max_row=30, values_only=True)])
            if top.empty or not top.notna().to_numpy().any():
                out.append(_Sheet(ws.title, (), 0))
                continue
            row = _header_row(top)
            values = [v for v in top.iloc[row - 1].tolist()]
            while values and (values[-1] is None or (isinstance(values[-1], float) and np.isnan(values[-1]))):
                values.pop()
            out.append(_Sheet(ws.title, tuple("" if v is None else str(v).strip() for v in values),
                              getattr(ws, "max_row", None)))
    finally:
        book.close()
    return out


def _describe(sheets: list[_Sheet]) -> str:
    """'persons' (120 rows, 5 columns: id, w, …) for each sheet, for messages."""
    parts = []
    for sh in sheets:
        size = f"{sh.rows:,} rows, " if sh.rows else ""
        cols = ", ".join(map(str, sh.header[:4])) + (" …" if len(sh.header) > 4 else "")
        parts.append(f"{sh.name!r} ({size}{len(sh.header)} columns: {cols})")
    return "; ".join(parts)


def _read_excel(path: Path, sheet: str | int | None, notes: list[str], header: int | None = None,
                first_line: dict | None = None) -> pd.DataFrame:
    """One sheet of a workbook as a frame (or several with ``sheet="all"``). Without ``sheet=``, the workbook's
    only sheet with content is read; a workbook with several is refused, naming them: the data may continue on a
    second sheet (same columns: ``sheet="all"`` reads them as one table), or the first sheet may not be the data."""
    sheets = _sheets(path)
    names = [s.name for s in sheets]
    full = [s for s in sheets if s.header]
    if sheet is None:
        if not full:
            raise FileFormatError(f"Reading {str(path)!r}", f"every sheet of the workbook is empty ({names})",
                                  "check that this is the right file and that it was exported completely")
        if len(full) > 1:
            same = [s for s in full if s.header == full[0].header]
            if len(same) == len(full):
                raise FileFormatError(
                    f"Reading {str(path)!r}",
                    f"the workbook holds records with the same columns on {len(full)} sheets ({_describe(full)}): the "
                    "data seem to continue from one sheet to the next (a sheet holds at most 1,048,576 rows), and "
                    "reading only the first would leave the others out",
                    "pass sheet='all' to read them as one table, or sheet=NAME for one of them")
            raise FileFormatError(
                f"Reading {str(path)!r}",
                f"the workbook has {len(full)} sheets with content ({_describe(full)}); evidencekit does not guess "
                "which one holds the survey's records",
                f"pass sheet=NAME with the sheet of the records, e.g. sheet={full[0].name!r}")
        sheet = full[0].name
        if sheet != names[0]:
            notes.append(f"Sheet: {sheet!r}, the only sheet with content (the others, {[n for n in names if n != sheet]}, "
                         "are empty).")
    elif sheet == "all":
        if not full:
            raise FileFormatError(f"Reading {str(path)!r}", f"every sheet of the workbook is empty ({names})",
                                  "check that this is the right file")
        odd = [s for s in full if s.header != full[0].header]
        if odd:
            raise FileFormatError(f"Reading every sheet of {str(path)!r}",
                                  f"sheet {odd[0].name!r} has other columns than sheet {full[0].name!r} "
                                  f"({_describe([full[0], odd[0]])})",
                                  "pass sheet=NAME to read one sheet, or make the sheets' columns the same")
        frames = [_read_sheet(path, s.name, notes, header, first_line) for s in full]
        notes.append(f"Sheets: {len(full)} sheets with the same columns read as one table, in order: "
                     + ", ".join(f"{s.name!r} ({len(f):,} records)" for s, f in zip(full, frames)) + ".")
        return pd.concat(frames, ignore_index=True)
    elif isinstance(sheet, int) and not isinstance(sheet, bool):
        if not 0 <= sheet < len(names):
            raise FileFormatError(f"Reading sheet {sheet} of {str(path)!r}", f"the workbook has {len(names)} sheet(s): {names}",
                                  "pass sheet= as one of those names or a number from 0")
        sheet = names[sheet]
    elif sheet not in names:
        raise FileFormatError(f"Reading sheet {sheet!r} of {str(path)!r}", "there is no such sheet", suggest(sheet, names))
    return _read_sheet(path, sheet, notes, header, first_line)


def _read_sheet(path: Path, sheet: str, notes: list[str], header: int | None, first_line: dict | None) -> pd.DataFrame:
    cells = pd.read_excel(path, sheet_name=sheet, engine="openpyxl", header=None)
    if cells.empty:
        raise FileFormatError(f"Reading sheet {sheet!r} of {str(path)!r}", "the sheet is empty",
                              "pass sheet= with the sheet that holds the data")
    if header is None:
        header = _header_row(cells)
        if header > 1:
            titles = [" ".join(str(v) for v in row if pd.notna(v)) for row in cells.iloc[: header - 1].to_numpy()]
            notes.append(f"Header: row {header} of sheet {sheet!r}; the {header - 1} row(s) above it are titles or blank "
                         f"and were skipped: {[t for t in titles if t][:5]} (pass header= for another row).")
    elif header > len(cells):
        raise FileFormatError(f"Reading sheet {sheet!r} of {str(path)!r}", f"header={header} but the sheet has {len(cells)} rows",
                              "pass the row number of the column names, counting from 1")
    else:
        notes.append(f"Header: row {header} of sheet {sheet!r} (given).")
    if first_line is not None:
        first_line["lines"] = header
    frame = cells.iloc[header:].reset_index(drop=True).infer_objects()
    frame.columns = cells.iloc[header - 1].tolist()
    return frame


def _header_row(cells: pd.DataFrame) -> int:
    """The row (from 1) of the column names. Title rows above a table fill one or two cells, so the header is
    the first of the first 30 rows that fills at least two cells and half as many as the fullest of those
    rows — when it is mostly text; otherwise (or when it is the first row) row 1.

    >>> _header_row(pd.DataFrame([["Survey 2023", None, None], [None] * 3, ["id", "w", "sex"], [1, 1.5, 2]]))
    3
    >>> _header_row(pd.DataFrame([["Survey 2023", None, None], [1, 1.5, 2], [2, 2.5, 1]]))
    1
    """
    top = cells.iloc[:30]
    filled = top.notna().sum(axis=1).to_numpy()
    first = int(np.argmax(filled >= max(2, filled.max() / 2)))
    values = [v for v in top.iloc[first] if pd.notna(v)]
    return first + 1 if sum(isinstance(v, str) for v in values) > len(values) / 2 else 1


def _read_readstat(path: Path, kind: str, encoding: str | None, notes: list[str]) -> tuple[pd.DataFrame, dict, dict]:
    import pyreadstat

    reader = pyreadstat.read_dta if kind == "Stata" else pyreadstat.read_sav
    options: dict = {}
    if encoding:  # Python's names ('latin-1') -> the iconv names pyreadstat understands ('iso8859-1')
        options["encoding"] = _codec(encoding)
        if not options["encoding"]:
            raise FileFormatError(f"Reading {str(path)!r}", f"{encoding!r} is not an encoding Python knows",
                                  "pass encoding='cp1252', 'latin-1' or 'utf-8', or leave it out")
    options["user_missing"] = True  # read the codes (SPSS) or letters (Stata .a-.z), then set them missing here, counting them
    try:
        frame, meta = reader(str(path), **options)
    except pyreadstat.ReadstatError as err:
        if encoding and "character set" in str(err):
            raise FileFormatError(f"Reading {str(path)!r} as {kind}", f"the {kind} reader cannot convert text from {encoding!r}",
                                  "pass encoding='cp1252', 'latin-1' or 'utf-8', or leave it out") from None
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
    if kind == "Stata":
        found = _stata_extended_missing(frame, getattr(meta, "missing_user_values", {}) or {}, value_labels)
        if found:
            notes.append("Stata extended missing values (.a-.z, e.g. 'don't know') read as missing: "
                         + "; ".join(found[:10]) + (" …" if len(found) > 10 else "") + ".")
    return frame, value_labels, variable_labels


def _stata_extended_missing(frame: pd.DataFrame, codes: dict[str, list], value_labels: dict[str, dict]) -> list[str]:
    """Set Stata's extended missing values (read as the letters 'a'..'z') to missing, in place; say per column
    which and how many (with their value labels)."""
    found = []
    for col, letters in codes.items():
        if col not in frame.columns:
            continue
        hit = frame[col].isin(letters)
        counts = frame.loc[hit, col].value_counts().sort_index()
        frame[col] = pd.to_numeric(frame[col].where(~hit), errors="coerce").astype("float64")
        labels = value_labels.get(col, {})
        shown = ", ".join(f".{k}{' ' + labels[k] if k in labels else ''} ({n})" for k, n in counts.items())
        if shown:
            found.append(f"{col}: {shown}")
    return found


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
