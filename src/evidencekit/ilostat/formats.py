"""ILOSTAT's formats, read in one place for the client and the snapshot builder.

What ILOSTAT publishes, and the one reader of each (``docs/ilostat.md``, "Formats"):

| format | where it comes from | reader |
|---|---|---|
| rplumber CSV (data, dictionaries) | ``/data/indicator/``, ``/metadata/dic/`` | :func:`read_csv`, :func:`read_data_answer` |
| rplumber JSON (catalogues) | ``/metadata/toc/indicator/``, ``/metadata/toc/ref_area/`` | :func:`read_records`, :func:`toc_from_records`, :func:`areas_from_records` |
| bulk CSV (codes) | the bulk download facility (same columns as rplumber CSV) | :func:`read_data_file` |
| explorer export (labels, with or without codes) | the ILOSTAT data explorer | :func:`read_data_file` |
| DDF datapoints (lower-case codes, value column named by the indicator) | open-numbers ``ddf--ilo--ilostat`` | :func:`read_data_file` |
| bulk dictionary (``<var>_en.csv``) | bulk download facility | :func:`read_dictionary` |
| SDMX codelists (flattened CSV) and structure (SDMX-ML) | ``sdmx.ilo.org`` | :func:`read_codelists`, :func:`read_area_groups` |

Every CSV goes through :func:`read_csv`: text columns, the UTF-8 BOM and gzip wrapper removed, cells trimmed,
empty cells missing (``NA`` is Namibia, not a missing value), and a row with fewer or more fields than the
header refused with its line number (pandas pads a short row silently; a body cut inside a row must never
be read as data).

>>> read_csv(b'\\xef\\xbb\\xbf"ref_area","obs_value"\\n"NA", 1.5 \\n"PHL",\\n', "a body").values.tolist()
[['NA', '1.5'], ['PHL', <NA>]]
>>> read_csv(b'"ref_area","time","obs_value"\\n"PHL","2021",2.5\\n"IDN","20', "a body")
Traceback (most recent call last):
...
evidencekit.ilostat.formats.FormatError: Reading a body: line 3 has 2 fields where the header has 3 (the text is cut or damaged). What to do: try again later; the cache or the offline snapshot answers meanwhile.
"""
from __future__ import annotations

import csv
import gzip
import io
import json
import re
import xml.etree.ElementTree as ET
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from evidencekit.ilostat.errors import DamagedAnswerError, IlostatError, NetworkError

__all__ = [
    "PUBLISHER", "LICENCE", "LICENCE_URL", "COLUMNS", "TOC_COLUMNS", "AREA_COLUMNS", "DICTIONARIES",
    "FormatError", "read_csv", "read_data_answer", "read_records", "toc_from_records", "areas_from_records",
    "iso_last_update", "read_dictionary", "read_codelists", "read_area_groups", "read_data_file", "RawDataset",
    "freq_of", "dataset_id_from_name",
]

# -- what every ILOSTAT answer is cited with (one place: client, cache, snapshot, manifest) ---------------
PUBLISHER = "ILOSTAT, International Labour Organization"
LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"

# -- columns ---------------------------------------------------------------------------------------------
COLUMNS = (   # ILOSTAT's data columns, in ILOSTAT's order (rplumber CSV and bulk files)
    "ref_area", "source", "indicator", "sex", "classif1", "classif2", "time", "obs_value",
    "obs_status", "note_classif", "note_indicator", "note_source",
)
EXTRA_COLUMNS = ("best_source",)   # added by rplumber when best_source=all/no is asked
# the catalogue (indicator table of contents), the same columns live, cached and offline
TOC_COLUMNS = ["id", "indicator", "label", "freq", "data_start", "data_end", "last_update", "n_records", "offline",
               "subject", "database", "with_region"]
# the areas table: codes, names, the ILO region and sub-regions, the World Bank income group
AREA_COLUMNS = ["ref_area", "ref_area.label", "is_aggregate", "ilo_region", "ilo_region.label",
                "ilo_subregion_broad", "ilo_subregion_broad.label", "ilo_subregion_detailed",
                "ilo_subregion_detailed.label", "income_group", "income_group.label"]
DICTIONARIES = ("ref_area", "indicator", "sex", "classif1", "classif2", "obs_status", "note_classif",
                "note_indicator", "note_source", "source", "classif_type", "database", "subject")  # /metadata/dic/


class FormatError(IlostatError):
    """A file or an answer is not in the ILOSTAT format it claims (cut, damaged, or something else)."""


# --------------------------------------------------------------------------------------------------- CSV
def unpack(body: bytes, name: str) -> bytes:
    """``body``, unpacked when it is gzip (a ``.csv.gz`` file served as it is, without ``Content-Encoding``)."""
    if body[:2] != b"\x1f\x8b":
        return body
    try:
        return gzip.decompress(body)
    except (OSError, EOFError, zlib.error) as err:
        raise FormatError(f"Reading {name}", f"the gzip content is cut off or damaged ({err})", "try again") from None


def read_csv(source: bytes | str | Path, name: str | None = None, *, complete: bool = False,
             fix: str = "try again later; the cache or the offline snapshot answers meanwhile") -> pd.DataFrame:
    """An ILOSTAT CSV (bytes, or a file path) -> DataFrame of text columns (pandas ``string``).

    Header names and cells are trimmed, empty cells are missing, nothing else is interpreted (codes stay
    codes, numbers stay text). ``complete=True`` (a downloaded answer) also refuses text that does not end
    with a line break: ILOSTAT ends every CSV with one, so a body without it was cut, even inside its last
    value. Raises :class:`FormatError` naming ``name`` (the URL or the file) and the line that is wrong.
    """
    if isinstance(source, (str, Path)):
        path = Path(source)
        name = name or str(path)
        try:
            data = path.read_bytes()
        except OSError as err:
            raise FormatError(f"Reading {name}", f"it cannot be read ({err})", fix) from None
    else:
        data = bytes(source)
        name = name or "ILOSTAT's answer"
    data = unpack(data, name)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.strip():
        raise FormatError(f"Reading {name}", "it is empty", fix)
    head, _, _ = data.partition(b"\n")
    try:
        header = [h.strip() for h in next(csv.reader([head.decode("utf-8").rstrip("\r")]))]
    except (UnicodeDecodeError, StopIteration, csv.Error) as err:
        raise FormatError(f"Reading {name}", f"it is not CSV text ({str(err)[:80]})", fix) from None
    if not header or any(not h for h in header):
        raise FormatError(f"Reading {name}", f"its header line is not a list of column names ({head[:80]!r})", fix)
    if len(set(header)) != len(header):
        raise FormatError(f"Reading {name}", f"its header repeats a column name ({', '.join(header)})", fix)
    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=header, skip_rows=1),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(column_types={h: pa.string() for h in header},
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False,
                                                 null_values=[]))
    except (pa.ArrowInvalid, UnicodeDecodeError) as err:
        raise FormatError(f"Reading {name}", _why_unreadable(data, len(header), err), fix) from None
    if complete and not data.endswith(b"\n"):
        raise FormatError(f"Reading {name}", "it does not end with a line break: the text was cut before its end", fix)
    columns = {}
    for h in header:
        col = pc.utf8_trim_whitespace(table.column(h))
        columns[h] = pc.if_else(pc.equal(col, ""), pa.scalar(None, pa.string()), col)
    return pa.table(columns).to_pandas(types_mapper={pa.string(): pd.StringDtype()}.get)


def _why_unreadable(data: bytes, n_fields: int, err: Exception) -> str:
    """Say which line is wrong: the first row whose field count differs from the header's (the csv module
    counts them the way pyarrow does; only run when pyarrow refused the text)."""
    try:
        rows = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
        next(rows)
        for row in rows:
            if row and len(row) != n_fields:
                return (f"line {rows.line_num} has {len(row)} fields where the header has {n_fields} "
                        "(the text is cut or damaged)")
    except UnicodeDecodeError:
        return "it is not UTF-8 text"
    except csv.Error as e:
        return f"it is not CSV text ({e})"
    return f"it is not CSV text ({str(err)[:120]})"


def read_data_answer(body: bytes, url: str) -> pd.DataFrame:
    """An rplumber ``/data/indicator/`` answer -> text frame; anything that is not ILOSTAT data CSV is a
    :class:`NetworkError` (the cache or the snapshot may then answer).

    The service answers 200 whatever happens (a JSON error, a web page, bytes cut off): that must be said,
    never read as "no rows" or a traceback. What the rows hold is checked next, against the request
    (:func:`evidencekit.ilostat.validate.check_answer`).

    >>> read_data_answer(b"[]", "https://rplumber.ilo.org/data/indicator/?id=X_A")
    Traceback (most recent call last):
    ...
    evidencekit.ilostat.errors.NetworkError: Asking ILOSTAT for https://rplumber.ilo.org/data/indicator/?id=X_A: the answer is not ILOSTAT data (it starts with '[]'). What to do: try again later, or set EVIDENCEKIT_ILOSTAT_URL if ILOSTAT has moved.
    """
    def not_data(why: str) -> NetworkError:
        return NetworkError(f"Asking ILOSTAT for {url}", f"the answer is not ILOSTAT data ({why})",
                            "try again later, or set EVIDENCEKIT_ILOSTAT_URL if ILOSTAT has moved")

    start = body[:60].decode("utf-8", "replace").lstrip("\ufeff").strip().replace("\n", " ")
    try:
        head = unpack(body, url).lstrip(b"\xef\xbb\xbf").partition(b"\n")[0].decode("utf-8").rstrip("\r")
        header = {h.strip() for h in next(csv.reader([head]))}
    except (FormatError, UnicodeDecodeError, StopIteration, csv.Error):
        header = set()
    if not {"time", "obs_value"} <= header:
        raise not_data(f"it starts with {start!r}")
    try:
        return read_csv(body, url, complete=True)
    except FormatError as err:  # the header is ILOSTAT's, the rows are not whole
        raise DamagedAnswerError(f"Asking ILOSTAT for {url}", f"ILOSTAT's answer was refused: {err.why}",
                                 "try again later; meanwhile the cache or the offline snapshot answers") from None


# ------------------------------------------------------------------------------------------ JSON listings
def read_records(body: bytes, url: str, what: str) -> list[dict]:
    """A JSON table of contents -> list of records; :class:`FormatError` for anything else (cut, an error)."""
    try:
        records = json.loads(unpack(body, url).decode("utf-8-sig"))
        if not isinstance(records, list) or not records or not isinstance(records[0], dict):
            raise ValueError(f"it starts with {body[:40].decode('utf-8', 'replace')!r}")
    except (ValueError, UnicodeDecodeError) as err:
        raise FormatError(f"Reading {url}", f"it is not {what} ({err})", "try again later") from None
    return records


def iso_last_update(value: object) -> str | None:
    """ILOSTAT's ``dd/mm/YYYY HH:MM:SS`` -> ISO ``YYYY-MM-DDTHH:MM:SS`` (None when absent or unreadable).

    >>> iso_last_update("24/09/2026 07:10:19"), iso_last_update(""), iso_last_update("2026-09-24")
    ('2026-09-24T07:10:19', None, '2026-09-24T00:00:00')
    """
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value).strip()
    for fmt in ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S",
                "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).isoformat()
        except ValueError:
            continue
    return None


def _period_text(s: pd.Series) -> pd.Series:
    """ToC periods as text (``1947``, ``2022Q1``), as the snapshot's ToC has them."""
    text = s.astype("string").str.replace(r"\.0$", "", regex=True)
    return text.mask(text.str.strip() == "")


def toc_from_records(records: list[dict], offline_ids: Iterable[str] = ()) -> pd.DataFrame:
    """The live indicator ToC (JSON records) in :data:`TOC_COLUMNS` (``last_update`` ISO; ``offline``: the
    snapshot holds the dataset too), so one search serves the live, cached and offline catalogues."""
    raw = pd.DataFrame.from_records(records)
    if raw.empty or "id" not in raw.columns:
        raise FormatError("Reading the ILOSTAT catalogue", "the answer holds no indicators", "try again later")

    def col(name: str) -> pd.Series:
        return raw[name] if name in raw.columns else pd.Series([None] * len(raw), index=raw.index)

    have = set(offline_ids)
    out = pd.DataFrame({
        "id": col("id").astype("string"),
        "indicator": col("indicator").astype("string"),
        "label": col("indicator.label").astype("string"),
        "freq": col("freq").astype("string"),
        "data_start": _period_text(col("data.start")),
        "data_end": _period_text(col("data.end")),
        "last_update": col("last.update").map(iso_last_update).astype("string"),
        "n_records": pd.to_numeric(col("n.records"), errors="coerce").astype("float64"),
        "offline": col("id").isin(have).astype(bool),
        "subject": col("subject").astype("string"),
        "database": col("database").astype("string"),
        "with_region": col("with.region").astype("string"),
    })
    return out[TOC_COLUMNS].reset_index(drop=True)


def areas_from_records(records: list[dict]) -> pd.DataFrame:
    """The live ref_area ToC -> one row per area in :data:`AREA_COLUMNS`; group codes lose their
    ``ILO_GEO_`` / ``ILO_GEO_WB_INC_`` prefix (``ILO_GEO_X06`` -> ``X06``, the ``ref_area`` code)."""
    raw = pd.DataFrame.from_records(records)

    def col(name: str) -> pd.Series:
        s = raw[name] if name in raw.columns else pd.Series([None] * len(raw), index=raw.index)
        return s.astype("string").str.replace(r"^ILO_GEO_(?:WB_INC_)?", "", regex=True)

    out = pd.DataFrame({"ref_area": col("ref_area"), "ref_area.label": col("ref_area.label")})
    out["is_aggregate"] = out["ref_area"].str.match(r"^X[0-9A-Z]{2}$").fillna(False).astype(bool)
    for ours, theirs in (("ilo_region", "ilo_region"), ("ilo_subregion_broad", "ilo_subregion_broad"),
                         ("ilo_subregion_detailed", "ilo_subregion_detailed"), ("income_group", "wb_income_group")):
        out[ours], out[f"{ours}.label"] = col(theirs), col(f"{theirs}.label")
    out.loc[out["is_aggregate"], [c for c in AREA_COLUMNS[3:]]] = pd.NA   # aggregates: "Regions", not a group
    return out[AREA_COLUMNS].drop_duplicates("ref_area").sort_values("ref_area").reset_index(drop=True)


# ----------------------------------------------------------------------------------- dictionaries, SDMX
def read_dictionary(path: Path, var: str) -> pd.DataFrame:
    """A bulk dictionary ``<var>_en.csv``: ``var``, ``var.label`` (+ ``ref_area`` for ``source``), one row a code."""
    df = read_csv(path, fix="use the ILOSTAT bulk dictionary file")
    if var not in df.columns or f"{var}.label" not in df.columns:
        raise FormatError(f"Reading the dictionary {path}",
                          f"it has no '{var}' and '{var}.label' columns (found {list(df.columns)})",
                          "use the ILOSTAT bulk dictionary file")
    return df.drop_duplicates(subset=[var] + (["ref_area"] if var == "source" else []))


CODELIST_COLUMNS = ["codelist_id", "code_id", "parent_code_id", "name_en", "name_fr", "name_es"]


def read_codelists(path: Path | None) -> pd.DataFrame:
    """The flattened ILO SDMX codelists (:data:`CODELIST_COLUMNS`); an empty table when there is no file."""
    if path is None:
        return pd.DataFrame(columns=CODELIST_COLUMNS)
    df = read_csv(path, fix="use the flattened ILO SDMX codelists file")
    missing = sorted(set(CODELIST_COLUMNS) - set(df.columns))
    if missing:
        raise FormatError(f"Reading {path}", f"columns {missing} are missing", "use the flattened ILO SDMX codelists file")
    return df


_SDMX_NS = {"s": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure",
            "c": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common"}


def read_area_groups(paths: Iterable[Path]) -> pd.DataFrame:
    """``CL_AREA`` codes with their ``ILO_REGION`` / ``WB_INCOME_GROUP`` / ``GROUP`` annotations, from the
    first SDMX-ML structure message among ``paths`` that has that codelist (others are passed over)."""
    rows = []
    for path in paths:
        try:
            opener = gzip.open if path.suffix == ".gz" else open
            with opener(path, "rb") as fh:
                tree = ET.parse(fh)
        except (ET.ParseError, OSError):
            continue
        for cl in tree.getroot().iter(f"{{{_SDMX_NS['s']}}}Codelist"):
            if cl.get("id") != "CL_AREA":
                continue
            for code in cl.findall("s:Code", _SDMX_NS):
                ann = {a.findtext("c:AnnotationType", namespaces=_SDMX_NS):
                       a.findtext("c:AnnotationTitle", namespaces=_SDMX_NS)
                       for a in code.findall("c:Annotations/c:Annotation", _SDMX_NS)}
                rows.append({"ref_area": code.get("id"), "ilo_region": ann.get("ILO_REGION"),
                             "income_group": ann.get("WB_INCOME_GROUP"), "sdmx_group": ann.get("GROUP"),
                             "areas_source": path.name})
        if rows:
            break
    return pd.DataFrame(rows, columns=["ref_area", "ilo_region", "income_group", "sdmx_group", "areas_source"])


# -------------------------------------------------------------------------------- bulk / explorer / DDF
_ID = re.compile(r"^[A-Z0-9]+(?:_[A-Z0-9]+)*_[AQM]$")
_DDF_NAME = re.compile(r"^ddf--datapoints--([a-z0-9_]+)--by--(.+?)(?:\.csv)?(?:\.gz)?$")


@dataclass
class RawDataset:
    """One ILOSTAT data file read as text: its dataset id, layout (``bulk``/``explorer``/``ddf``) and rows."""

    id: str
    frame: pd.DataFrame
    layout: str
    source_file: str
    unmapped: dict = field(default_factory=dict)


def not_ilostat(name: str, why: str) -> FormatError:
    return FormatError(f"Reading {name}", f"it is not an ILOSTAT-format file: {why}",
                       "remove it from the input folder, or give the ILOSTAT bulk/explorer/DDF file itself")


def dataset_id_from_name(name: str, indicator: str | None = None) -> str | None:
    """The dataset id a file name starts with (``SDG_0852_SEX_AGE_RT_A-filtered-….csv``), or None.

    >>> dataset_id_from_name("EMP_NIFL_SEX_RT_A-20251121T2048.csv"), dataset_id_from_name("notes.csv")
    ('EMP_NIFL_SEX_RT_A', None)
    """
    stem = name
    for suffix in (".gz", ".csv"):
        stem = stem.removesuffix(suffix)
    if indicator:
        m = re.match(re.escape(indicator) + r"_([AQM])(?![A-Za-z0-9])", stem)
        return f"{indicator}_{m.group(1)}" if m else None
    head = stem.split("-", 1)[0]
    return head if _ID.match(head) else None


def freq_of(time: pd.Series, name: str) -> str:
    """The one frequency (``A``/``Q``/``M``) of a ``time`` column; :class:`FormatError` when mixed or misspelt."""
    t = time.dropna().astype(str).str.upper()
    kinds = set(np.where(t.str.fullmatch(r"\d{4}"), "A",
                         np.where(t.str.fullmatch(r"\d{4}Q[1-4]"), "Q",
                                  np.where(t.str.fullmatch(r"\d{4}M\d{2}"), "M", "?"))))
    if len(kinds) != 1 or "?" in kinds:
        raise not_ilostat(name, f"the time column mixes or misspells periods ({sorted(kinds)})")
    return kinds.pop()


def _read_ddf_datapoints(path: Path, rel: str) -> RawDataset:
    m = _DDF_NAME.match(path.name)
    df = read_csv(path)
    if not m:
        raise not_ilostat(str(path), "a DDF file name must be ddf--datapoints--<indicator>--by--<keys>.csv")
    ind = m.group(1)
    keys = [k.split("-")[0] for k in m.group(2).split("--")]
    if ind not in df.columns or not set(keys) <= set(df.columns) or "ref_area" not in keys or "time" not in keys:
        raise not_ilostat(str(path), f"expected columns {keys + [ind]}, found {list(df.columns)}")
    freq = freq_of(df["time"], str(path))
    out = pd.DataFrame({k: df[k].str.upper() for k in keys if k != "time"})
    out.insert(1, "indicator", ind.upper())
    out["time"] = df["time"]
    out["obs_value"] = df[ind]
    return RawDataset(f"{ind.upper()}_{freq}", out, "ddf", rel)


def read_data_file(path: Path, rel: str) -> RawDataset:
    """A bulk, explorer or DDF data file -> :class:`RawDataset` (text; explorer labels not yet mapped to codes).

    The layout is told by the content: ``<col>.label`` columns make an explorer export, a ``ddf--datapoints``
    name (or a folder named ``ddf``) a DDF file, codes alone a bulk file. The dataset id comes from the file
    name and the ``indicator`` column (they must agree), the frequency from the periods.
    """
    name = str(path)
    if path.name.startswith("ddf--"):
        return _read_ddf_datapoints(path, rel)
    df = read_csv(path, fix="remove it from the input folder or replace it with the ILOSTAT download")
    cols = set(df.columns)
    if "obs_value" not in cols or "time" not in cols:
        raise not_ilostat(name, f"no 'time' and 'obs_value' columns (found {list(df.columns)[:12]})")
    has_labels = any(c.endswith(".label") for c in cols)
    if not ({"ref_area", "ref_area.label"} & cols):
        raise not_ilostat(name, "no 'ref_area' or 'ref_area.label' column")
    layout = "ddf" if "ddf" in Path(rel).parts[:-1] else ("explorer" if has_labels else "bulk")
    if "indicator" in cols:
        inds = df["indicator"].dropna().unique()
        if len(inds) != 1:
            raise not_ilostat(name, f"one dataset per file is expected, found indicators {sorted(inds)[:5]}")
        ds_id = dataset_id_from_name(path.name, str(inds[0]))
    else:
        ds_id = dataset_id_from_name(path.name)
    if not ds_id:
        raise not_ilostat(name, "the file name does not start with the dataset id (e.g. SDG_0852_SEX_AGE_RT_A)")
    if freq_of(df["time"], name) != ds_id[-1]:
        raise not_ilostat(name, f"its periods do not match the frequency of {ds_id}")
    return RawDataset(ds_id, df, layout, rel)
