"""The embedded offline ILOSTAT snapshot: built from ILOSTAT-format files, read without a network.

:func:`build` turns a folder of ILOSTAT files into one compact Parquet file per dataset (zstd, code columns
dictionary-encoded), the dictionaries (English from the bulk dictionaries; French and Spanish from the ILO
SDMX codelists where they name the same code), the offline catalogue, the areas table and a
``manifest.json``. :class:`Snapshot` reads it: ``get`` opens only the Parquet file of the dataset asked for
and pushes the code filters down to pyarrow.

Input layouts (``manifest[datasets][id][layout]``):

* ``bulk`` — ILOSTAT bulk / rplumber CSV with codes (``ref_area, indicator, source, sex, classif1, …``).
* ``explorer`` — data-explorer exports with ``<col>.label`` columns, with or without the codes. Label-only
  columns are mapped back to codes through the dictionaries (exact label, then ILOSTAT's other label forms:
  ``"Total"`` for ``"Sex: Total"``, ``"2021 PPP $"`` for ``"2017 PPP $"`` — both code ``CUR_TYPE_PPP``);
  a label that no dictionary names, or that names two codes, leaves the code empty and is counted in
  ``manifest[datasets][id][unmapped]``; the export's own labels are kept beside the codes.
* ``ddf`` — open-numbers DDF datapoints (``ddf--datapoints--<ind>--by--ref_area--time.csv``, lower-case
  codes) or a long file derived from DDF (folder ``ddf/``).

Vintage per file: the date ILOSTAT put in the file name (``-filtered-2025-06-01``, ``-20251121T2048``), else
the commit date that ``PROVENANCE.md`` beside the files gives for it, else ``"unknown"``.

>>> snap = Snapshot()
>>> "SDG_0852_SEX_AGE_RT_A" in snap.datasets()
True
>>> df = snap.get(Query.build("SDG_0852_SEX_AGE_RT_A", ref_area="PHL", sex="T", start=2019, end=2020))
>>> df[["ref_area", "sex", "time"]].drop_duplicates().shape[0] > 0, df.attrs["provenance"]["origin"]
(True, 'snapshot')
"""
from __future__ import annotations

import gzip
import hashlib
import json
import re
import shutil
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from evidencekit.ilostat.catalogue import closest_codes, normalise, suggest
from evidencekit.ilostat.errors import NotAvailableOfflineError, SnapshotError
from evidencekit.ilostat.labels import LABELLED, NOTE_COLUMNS, NOTE_JOIN, add_labels, english_fallback
from evidencekit.ilostat.query import LANGS, Query, filter_frame, period_column
from evidencekit.ilostat.tidy import COLUMNS, LICENCE, PUBLISHER, attach, now_utc, provenance

__all__ = ["Snapshot", "build", "DEFAULT_PATH", "FORMAT_VERSION"]

DEFAULT_PATH = Path(__file__).resolve().parents[1] / "data" / "ilostat"
FORMAT_VERSION = 1
DIC_VARS = ("indicator", "ref_area", "sex", "classif1", "classif2", "source", "obs_status",
            "note_classif", "note_indicator", "note_source")
_ID = re.compile(r"^[A-Z0-9]+(?:_[A-Z0-9]+)*_[AQM]$")
_NAME_DATE = re.compile(r"-(?:full-|filtered-)?(\d{4})-?(\d{2})-?(\d{2})(?:T(\d{2})(\d{2}))?$")
_DIC_FILE = re.compile(r"^(" + "|".join(DIC_VARS) + r")_(en|fr|es)$")
_WHERE = "the offline snapshot"
_TOC_COLUMNS = ["id", "indicator", "label", "freq", "data_start", "data_end", "last_update", "n_records", "offline"]
# SDMX codelists whose codes are the same strings as the bulk code of these variables
_SDMX_VAR = {"ref_area": ("CL_AREA",), "sex": ("CL_SEX",), "obs_status": ("CL_OBS_STATUS",)}
_NOT_CLASSIF = {"CL_AREA", "CL_SEX", "CL_OBS_STATUS", "CL_MEASURE", "CL_FREQ", "CL_DECIMALS", "CL_UNIT_MEASURE",
                "CL_UNIT_MEASURE_TYPE", "CL_UNIT_MULT"}


# --------------------------------------------------------------------------------------------------- reading
def _read_csv(path: Path) -> pd.DataFrame:
    """Read an ILOSTAT CSV as text (BOM stripped, headers trimmed, empty cells -> NA)."""
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig",
                         skipinitialspace=True, compression="infer")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError, OSError) as err:
        raise SnapshotError(f"Reading {path}", f"it is not a readable CSV file ({err})",
                            "remove it from the folder or replace it with the ILOSTAT download") from err
    df = df.rename(columns=lambda c: str(c).lstrip("\ufeff").strip())
    for col in df.columns:
        s = df[col].astype("string").str.strip()
        df[col] = s.mask(s == "")
    return df


def _relpath(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def _provenance_dates(root: Path) -> dict[str, str | None]:
    """Map file path (relative to ``root``) -> commit date that ``PROVENANCE.md`` gives for it.

    Each ``### path`` section either names ``commit `…` (YYYY-MM-DD…`` or says "Same repository and commit",
    which takes the date of the section before it (None when that one had none).
    """
    doc = root / "PROVENANCE.md"
    if not doc.is_file():
        return {}
    out: dict[str, str | None] = {}
    last: str | None = None
    for section in re.split(r"^### ", doc.read_text(encoding="utf-8"), flags=re.M)[1:]:
        head, _, body = section.partition("\n")
        m = re.search(r"commit `[0-9a-f]{7,40}`\s*\((\d{4}-\d{2}-\d{2})", body)
        if m:
            date = m.group(1)
        elif "Same repository and commit" in body:
            date = last
        else:
            date = None
        last = date
        for path in re.findall(r"[\w./*-]+\.(?:csv|xml|gz)", head):
            out[path] = date
    return out


def _vintage(rel: str, dates: dict[str, str | None]) -> tuple[str, str]:
    """(vintage, how) for a data file: file-name date, else PROVENANCE.md commit date, else unknown."""
    stem = Path(rel).name
    for suffix in (".gz", ".csv"):
        stem = stem.removesuffix(suffix)
    m = _NAME_DATE.search(stem)
    if m:
        y, mo, d, hh, mm = m.groups()
        text = f"{y}-{mo}-{d}" + (f"T{hh}:{mm}" if hh else "")
        return text, "file name (ILOSTAT download date)"
    if dates.get(rel):
        return str(dates[rel]), "PROVENANCE.md (commit date of the copied file)"
    return "unknown", "no date in the file name or in PROVENANCE.md"


# ------------------------------------------------------------------------------------------ dictionaries
def _read_dictionaries(root: Path) -> dict[str, pd.DataFrame]:
    out = {}
    for path in sorted(root.rglob("*.csv")):
        m = _DIC_FILE.match(path.stem)
        if not m or m.group(2) != "en":
            continue
        var = m.group(1)
        df = _read_csv(path)
        if var not in df.columns or f"{var}.label" not in df.columns:
            raise SnapshotError(f"Reading the dictionary {path}",
                                f"it has no '{var}' and '{var}.label' columns (found {list(df.columns)})",
                                "use the ILOSTAT bulk dictionary file")
        out[var] = df.drop_duplicates(subset=[var] + (["ref_area"] if var == "source" else []))
    return out


def _read_codelists(root: Path) -> pd.DataFrame:
    """The flattened SDMX codelists (codelist_id, code_id, parent_code_id, name_en, name_fr, name_es)."""
    files = sorted(root.rglob("ILO_codelists_*.csv"))
    if not files:
        return pd.DataFrame(columns=["codelist_id", "code_id", "parent_code_id", "name_en", "name_fr", "name_es"])
    df = _read_csv(files[-1])
    need = {"codelist_id", "code_id", "parent_code_id", "name_en", "name_fr", "name_es"}
    if not need <= set(df.columns):
        raise SnapshotError(f"Reading {files[-1]}", f"columns {sorted(need - set(df.columns))} are missing",
                            "use the flattened ILO SDMX codelists file")
    return df


def _sdmx_names(codelists: pd.DataFrame, var: str) -> pd.DataFrame:
    """code -> name_en/fr/es for a variable; classif codes get ILOSTAT's ``"<group>: <item>"`` form."""
    cl = codelists
    if var in _SDMX_VAR:
        sub = cl[cl["codelist_id"].isin(_SDMX_VAR[var])]
        return sub[["code_id", "name_en", "name_fr", "name_es"]].drop_duplicates("code_id")
    if var in ("classif1", "classif2"):
        sub = cl[~cl["codelist_id"].isin(_NOT_CLASSIF)]
        parents = sub.set_index(["codelist_id", "code_id"])
        rows = []
        for r in sub.itertuples(index=False):
            names = [r.name_en, r.name_fr, r.name_es]
            key = (r.codelist_id, r.parent_code_id)
            if pd.notna(r.parent_code_id) and key in parents.index:
                p = parents.loc[key]
                names = [f"{p[f'name_{lg}']}: {n}" if pd.notna(n) and pd.notna(p[f"name_{lg}"]) else n
                         for lg, n in zip(LANGS, names)]
            rows.append([r.code_id, *names])
        return pd.DataFrame(rows, columns=["code_id", "name_en", "name_fr", "name_es"]).drop_duplicates("code_id")
    return pd.DataFrame(columns=["code_id", "name_en", "name_fr", "name_es"])


def _dictionary_table(dics: dict[str, pd.DataFrame], codelists: pd.DataFrame) -> pd.DataFrame:
    """One long table: var, code, label_en, label_fr, label_es, ref_area (source only)."""
    parts = []
    for var in DIC_VARS:
        base = dics.get(var, pd.DataFrame(columns=[var, f"{var}.label"]))
        df = pd.DataFrame({"var": var, "code": base[var].astype("string"),
                           "label_en": base[f"{var}.label"].astype("string"),
                           "ref_area": base["ref_area"].astype("string") if "ref_area" in base.columns else pd.NA})
        names = _sdmx_names(codelists, var)
        if len(names):
            names = names.rename(columns={"code_id": "code"})
            df = df.merge(names[["code", "name_fr", "name_es"]], on="code", how="left")
            extra = names[~names["code"].isin(df["code"])]  # codes only SDMX names (English from SDMX too)
            if var == "ref_area" and len(extra):
                more = pd.DataFrame({"var": var, "code": extra["code"], "label_en": extra["name_en"],
                                     "ref_area": pd.NA, "name_fr": extra["name_fr"], "name_es": extra["name_es"]})
                df = pd.concat([df.astype("string"), more[df.columns].astype("string")])
            df = df.rename(columns={"name_fr": "label_fr", "name_es": "label_es"})
        else:
            df["label_fr"] = pd.NA
            df["label_es"] = pd.NA
        parts.append(df[["var", "code", "label_en", "label_fr", "label_es", "ref_area"]].astype("string"))
    return pd.concat(parts, ignore_index=True)


# ------------------------------------------------------------------------------- label -> code mapping
def _norm_label(text: str) -> str:
    """Label key for matching: accents, quotes, case and the PPP base year do not matter."""
    t = normalise(text)
    return re.sub(r"\b(?:19|20)\d{2} ppp\b", "ppp", t)


class _LabelIndex:
    """label -> code for one variable; a label that names two codes maps to None (ambiguous)."""

    def __init__(self, pairs_by_level: list[Iterable[tuple[str, str]]]):
        self.levels: list[dict[str, str | None]] = []
        for pairs in pairs_by_level:
            idx: dict[str, str | None] = {}
            for label, code in pairs:
                if label is None or code is None or pd.isna(label) or pd.isna(code):
                    continue
                key = _norm_label(label)
                if key in idx and idx[key] != code:
                    idx[key] = None
                else:
                    idx.setdefault(key, code)
            self.levels.append(idx)

    def lookup(self, label: str) -> str | None:
        key = _norm_label(label)
        for idx in self.levels:
            if key in idx:
                return idx[key]
        return None


def _label_index(var: str, dics: dict[str, pd.DataFrame], codelists: pd.DataFrame) -> _LabelIndex:
    dic = dics.get(var)
    exact = list(zip(dic[f"{var}.label"], dic[var])) if dic is not None else []
    sd = _sdmx_names(codelists, var)
    alias = list(zip(sd["name_en"], sd["code_id"]))
    # ILOSTAT's newer exports drop the "Type: " prefix of the old labels ("Sex: Total" -> "Total")
    alias += [(lab.split(": ", 1)[1], code) for lab, code in exact if isinstance(lab, str) and ": " in lab]
    return _LabelIndex([exact, alias])


# ----------------------------------------------------------------------------------------- one data file
@dataclass
class _Dataset:
    id: str
    frame: pd.DataFrame
    layout: str
    source_file: str
    unmapped: dict = field(default_factory=dict)


def _dataset_id_from_name(name: str, indicator: str | None = None) -> str | None:
    stem = name
    for suffix in (".gz", ".csv"):
        stem = stem.removesuffix(suffix)
    if indicator:
        m = re.match(re.escape(indicator) + r"_([AQM])(?![A-Za-z0-9])", stem)
        return f"{indicator}_{m.group(1)}" if m else None
    head = stem.split("-", 1)[0]
    return head if _ID.match(head) else None


def _not_ilostat(rel: str, why: str) -> SnapshotError:
    return SnapshotError(f"Building the snapshot from {rel}", f"it is not an ILOSTAT-format file: {why}",
                         "remove it from the input folder, or give the ILOSTAT bulk/explorer/DDF file itself")


def _read_ddf_datapoints(path: Path, rel: str) -> _Dataset:
    m = re.match(r"^ddf--datapoints--([a-z0-9_]+)--by--(.+?)(?:\.csv)?(?:\.gz)?$", path.name)
    df = _read_csv(path)
    if not m:
        raise _not_ilostat(str(path), "a DDF file name must be ddf--datapoints--<indicator>--by--<keys>.csv")
    ind = m.group(1)
    keys = [k.split("-")[0] for k in m.group(2).split("--")]
    if ind not in df.columns or not set(keys) <= set(df.columns) or "ref_area" not in keys or "time" not in keys:
        raise _not_ilostat(str(path), f"expected columns {keys + [ind]}, found {list(df.columns)}")
    freq = _freq_of(df["time"], str(path))
    out = pd.DataFrame({k: df[k].str.upper() for k in keys if k != "time"})
    out.insert(1, "indicator", ind.upper())
    out["time"] = df["time"]
    out["obs_value"] = df[ind]
    return _Dataset(f"{ind.upper()}_{freq}", out, "ddf", rel)


def _freq_of(time: pd.Series, rel: str) -> str:
    t = time.dropna().astype(str).str.upper()
    kinds = set(np.where(t.str.fullmatch(r"\d{4}"), "A",
                         np.where(t.str.fullmatch(r"\d{4}Q[1-4]"), "Q",
                                  np.where(t.str.fullmatch(r"\d{4}M\d{2}"), "M", "?"))))
    if len(kinds) != 1 or "?" in kinds:
        raise _not_ilostat(rel, f"the time column mixes or misspells periods ({sorted(kinds)})")
    return kinds.pop()


def _read_data_file(path: Path, rel: str, dics: dict, codelists: pd.DataFrame) -> _Dataset:
    if path.name.startswith("ddf--"):
        return _read_ddf_datapoints(path, rel)
    df = _read_csv(path)
    cols = set(df.columns)
    if "obs_value" not in cols or "time" not in cols:
        raise _not_ilostat(str(path), f"no 'time' and 'obs_value' columns (found {list(df.columns)[:12]})")
    has_labels = any(c.endswith(".label") for c in cols)
    if not ({"ref_area", "ref_area.label"} & cols):
        raise _not_ilostat(str(path), "no 'ref_area' or 'ref_area.label' column")
    in_ddf = "ddf" in Path(rel).parts[:-1]
    layout = "ddf" if in_ddf else ("explorer" if has_labels else "bulk")
    if "indicator" in cols:
        inds = df["indicator"].dropna().unique()
        if len(inds) != 1:
            raise _not_ilostat(str(path), f"one dataset per file is expected, found indicators {sorted(inds)[:5]}")
        ds_id = _dataset_id_from_name(path.name, str(inds[0]))
    else:
        ds_id = _dataset_id_from_name(path.name)
    if not ds_id:
        raise _not_ilostat(str(path), "the file name does not start with the dataset id (e.g. SDG_0852_SEX_AGE_RT_A)")
    if _freq_of(df["time"], str(path)) != ds_id[-1]:
        raise _not_ilostat(str(path), f"its periods do not match the frequency of {ds_id}")
    unmapped: dict[str, int] = {}
    if has_labels:
        df, unmapped = _codes_from_labels(df, ds_id, dics, codelists)
    if "indicator" not in df.columns:
        df.insert(0, "indicator", ds_id[:-2])
    return _Dataset(ds_id, df, layout, rel, unmapped)


def _codes_from_labels(df: pd.DataFrame, ds_id: str, dics: dict, codelists: pd.DataFrame):
    """Add the code column for every ``<col>.label`` without one; count labels no dictionary resolves."""
    unmapped: dict[str, int] = {}
    for col in LABELLED:
        lab = f"{col}.label"
        if lab not in df.columns or col in df.columns:
            continue
        if col == "indicator":
            df[col] = ds_id[:-2]
            continue
        if col == "source":
            if "ref_area" not in df.columns:
                continue
            src = dics.get("source")
            idx: dict[tuple, str | None] = {}
            if src is not None:
                for code, label, area in zip(src["source"], src["source.label"], src["ref_area"]):
                    key = (area, _norm_label(label))
                    idx[key] = None if key in idx and idx[key] != code else code
            uniq = df[["ref_area", lab]].dropna().drop_duplicates()
            found = {(a, l): idx.get((a, _norm_label(l))) for a, l in uniq.itertuples(index=False)}
            codes = [found.get((a, l)) if pd.notna(a) and pd.notna(l) else None
                     for a, l in zip(df["ref_area"], df[lab])]
        else:
            index = _label_index(col, dics, codelists)
            uniq = df[lab].dropna().unique()
            if col in NOTE_COLUMNS:
                found = {}
                for text in uniq:
                    parts = [index.lookup(p) for p in str(text).split(NOTE_JOIN)]
                    found[text] = "_".join(parts) if all(parts) else None
            else:
                found = {text: index.lookup(text) for text in uniq}
            codes = df[lab].map(found)
        pos = df.columns.get_loc(lab)
        df.insert(pos, col, pd.array(codes, dtype="string"))
        missing = int((df[col].isna() & df[lab].notna()).sum())
        if missing:
            unmapped[col] = missing
    return df, unmapped


def _arrange(ds: _Dataset, root: Path) -> pd.DataFrame:
    """ILOSTAT column order, codes as strings, obs_value float; labels (if any) after the codes."""
    df = ds.frame
    rel = str(root / ds.source_file)
    codes = [c for c in COLUMNS if c in df.columns]
    labels = [f"{c}.label" for c in LABELLED if f"{c}.label" in df.columns]
    extra = [c for c in df.columns if c not in codes and c not in labels]
    if extra:
        raise _not_ilostat(rel, f"unexpected columns {extra}")
    df = df[codes + labels].copy()
    value = pd.to_numeric(df["obs_value"], errors="coerce")
    bad = df["obs_value"].notna() & value.isna()
    if bad.any():
        raise SnapshotError(f"Building the snapshot from {rel}",
                            f"obs_value is not a number on {int(bad.sum())} rows (e.g. {df['obs_value'][bad].iloc[0]!r})",
                            "check that the file is an ILOSTAT download")
    for col in df.columns:
        df[col] = df[col].astype("string") if col != "obs_value" else value.astype("float64")
    return df.reset_index(drop=True)


ROW_GROUP = 4096


def _write_parquet(df: pd.DataFrame, path: Path) -> None:
    """Rows grouped by ref_area (stable: the file's order within an area) in row groups of 4,096, so a
    ``ref_area`` filter reads only the groups whose min/max statistics can hold the code."""
    df = df.sort_values("ref_area", kind="stable", na_position="last")
    fields = [pa.field(c, pa.float64() if c == "obs_value" else pa.string()) for c in df.columns]
    table = pa.Table.from_pandas(df, schema=pa.schema(fields), preserve_index=False)
    table = table.replace_schema_metadata(None)
    pq.write_table(table, path, compression="zstd", compression_level=9, use_dictionary=True,
                   write_statistics=True, row_group_size=ROW_GROUP)


# ------------------------------------------------------------------------------------------------- areas
_SDMX_NS = {"s": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure",
            "c": "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common"}


def _area_groups(root: Path) -> pd.DataFrame:
    """CL_AREA codes with their ILO_REGION / WB_INCOME_GROUP annotations from the SDMX structure message."""
    rows = []
    for path in sorted(root.rglob("*.xml")) + sorted(root.rglob("*.xml.gz")):
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


def _areas_table(dic_table: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    names = dic_table[dic_table["var"] == "ref_area"].set_index("code")["label_en"]
    names = names[~names.index.duplicated()]
    codes = sorted(c for c in set(names.index) | set(groups["ref_area"].dropna()) if not c.startswith("_"))
    # ("_Z" is SDMX's "not applicable", not an area)
    out = pd.DataFrame({"ref_area": codes})
    out["ref_area.label"] = out["ref_area"].map(names)
    out["is_aggregate"] = out["ref_area"].str.startswith("X")
    g = groups.drop_duplicates("ref_area").set_index("ref_area")
    for col in ("ilo_region", "income_group"):
        vals = out["ref_area"].map(g[col]) if len(g) else pd.Series(pd.NA, index=out.index)
        vals = vals.where(vals != "_Z")  # "_Z" = not applicable (aggregates)
        out[col] = vals
        out[f"{col}.label"] = vals.map(names)
    return out.astype({c: "string" for c in out.columns if c != "is_aggregate"})


# -------------------------------------------------------------------------------------------------- build
def _data_files(root: Path) -> tuple[list[Path], list[dict]]:
    files, skipped = [], []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = _relpath(path, root)
        name = path.name
        if not (name.endswith(".csv") or name.endswith(".csv.gz")):
            continue
        stem = name.removesuffix(".gz").removesuffix(".csv")
        if _DIC_FILE.match(stem) or name.startswith("ILO_codelists_") or name.startswith("ILO_concepts_"):
            continue
        if "derived" in path.relative_to(root).parts[:-1]:
            skipped.append({"file": rel, "reason": "derived subset of other files here (SEA rows of 12 indicators "
                            "in one table, note labels dropped); its values come from the ILOSTAT files that are "
                            "built in full, so it would only duplicate them"})
            continue
        files.append(path)
    return files, skipped


def _fingerprint(paths: Iterable[Path], root: Path) -> tuple[str, dict[str, str]]:
    sums = {}
    for p in sorted(paths):
        sums[_relpath(p, root)] = hashlib.sha256(p.read_bytes()).hexdigest()
    whole = hashlib.sha256("".join(f"{k}:{v}\n" for k, v in sorted(sums.items())).encode()).hexdigest()
    return whole[:12], sums


def build(src_dir: str | Path, out_dir: str | Path = DEFAULT_PATH, *, progress: bool = True) -> dict:
    """Build the offline snapshot from a folder of ILOSTAT-format files; return the manifest.

    Reads every data CSV under ``src_dir`` (bulk, explorer, DDF; ``derived/`` is skipped and listed in the
    manifest), the bulk dictionaries (``<var>_en.csv``), the flattened SDMX codelists (``ILO_codelists_*.csv``,
    for French and Spanish labels) and the SDMX structure XML (``CL_AREA`` regions and income groups).
    Writes ``<out_dir>/data/<ID>.parquet``, ``dictionaries.parquet``, ``toc.parquet``, ``areas.parquet``
    and ``manifest.json``. Raises :class:`SnapshotError` naming the file that is not ILOSTAT-format.
    """
    from tqdm.auto import tqdm

    root = Path(src_dir).expanduser()
    out = Path(out_dir).expanduser()
    if not root.is_dir():
        raise SnapshotError(f"Building the snapshot from {root}",
                            "that is a file, not a folder" if root.exists() else "the folder does not exist",
                            "give the folder that holds the ILOSTAT files (e.g. ../shared/data/ilostat)")
    _check_out(out)
    shutil.rmtree(_staging(out))  # can it be written at all? (said now, not after reading every file)
    files, skipped = _data_files(root)
    if not files:
        raise SnapshotError(f"Building the snapshot from {root}", "the folder holds no ILOSTAT data CSV files",
                            "give the folder with the bulk/explorer/DDF downloads (*.csv or *.csv.gz)")
    dics = _read_dictionaries(root)
    if "indicator" not in dics or "ref_area" not in dics:
        raise SnapshotError(f"Building the snapshot from {root}",
                            "the ILOSTAT dictionaries indicator_en.csv and ref_area_en.csv are missing",
                            "add the bulk-download dictionaries (dictionaries/<var>_en.csv) to the folder")
    codelists = _read_codelists(root)
    dates = _provenance_dates(root)
    datasets: dict[str, _Dataset] = {}
    for path in tqdm(files, desc="ILOSTAT snapshot", unit="file", disable=not progress):
        rel = _relpath(path, root)
        ds = _read_data_file(path, rel, dics, codelists)
        if ds.id in datasets:
            raise SnapshotError(f"Building the snapshot from {path}",
                                f"dataset {ds.id} is also in {datasets[ds.id].source_file}",
                                "keep one file per dataset in the input folder")
        ds.frame = _arrange(ds, root)
        datasets[ds.id] = ds

    dics["indicator"] = _with_held_indicators(dics["indicator"], datasets, codelists)
    fingerprint, sums = _fingerprint(files + [p for p in root.rglob("*_en.csv")], root)
    built_at = now_utc()
    final, out = out, _staging(out)
    try:
        manifest = _write_snapshot(out, datasets, dics, codelists, dates, sums, fingerprint, skipped, root, built_at)
        _swap(out, final)
    except OSError as err:  # disk full, permissions changed meanwhile
        shutil.rmtree(out, ignore_errors=True)
        raise SnapshotError(f"Writing the snapshot to {final}", f"it could not be written ({err})",
                            "free some space, or give another folder (--out DIR)") from None
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)
        raise
    return manifest


def _check_out(out: Path) -> None:
    """``out`` must be absent, an empty folder or a snapshot (which a build replaces): never a user's folder."""
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / "manifest.json").is_file())):
        raise SnapshotError(f"Writing the snapshot to {out}", "that path holds something that is not a snapshot",
                            "give an empty or new folder (or an existing snapshot folder, which is replaced)")


def _staging(out: Path) -> Path:
    """A fresh folder beside ``out`` to build into (:class:`SnapshotError` when that place cannot be written)."""
    _check_out(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-building-", dir=out.parent))
        tmp.chmod(0o755)
    except OSError as err:
        raise SnapshotError(f"Writing the snapshot to {out}", f"that place cannot be written ({err})",
                            "give a folder you can write to (evidencekit snapshot build --out DIR)") from None
    return tmp


def _swap(new: Path, final: Path) -> None:
    """Put the finished snapshot in place: a killed build never leaves a half-written snapshot."""
    if final.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{final.name}-old-", dir=final.parent))
        old.rmdir()
        final.rename(old)
        new.rename(final)
        shutil.rmtree(old, ignore_errors=True)
    else:
        new.rename(final)


def _write_snapshot(out: Path, datasets: dict, dics: dict, codelists: pd.DataFrame, dates: dict, sums: dict,
                    fingerprint: str, skipped: list, root: Path, built_at: str) -> dict:
    (out / "data").mkdir(parents=True, exist_ok=True)
    ind_labels = dict(zip(dics["indicator"]["indicator"], dics["indicator"]["indicator.label"]))
    entries = {}
    for ds_id in sorted(datasets):
        ds = datasets[ds_id]
        df = ds.frame
        vintage, how = _vintage(ds.source_file, dates)
        per = period_column(df["time"])
        _write_parquet(df, out / "data" / f"{ds_id}.parquet")
        entries[ds_id] = {
            "label": ind_labels.get(ds_id[:-2]),
            "file": f"data/{ds_id}.parquet", "source_file": ds.source_file, "source_sha256": sums[ds.source_file],
            "layout": ds.layout, "vintage": vintage, "vintage_from": how, "rows": int(len(df)),
            "time_start": str(df["time"][per.idxmin()]), "time_end": str(df["time"][per.idxmax()]),
            "n_ref_area": int(df["ref_area"].nunique()),
            "columns": [c for c in df.columns if not c.endswith(".label")],
            "label_columns": [c for c in df.columns if c.endswith(".label")],
            "unmapped": ds.unmapped,
        }
    dic_table = _dictionary_table(dics, codelists)
    _write_table(dic_table, out / "dictionaries.parquet")
    groups = _area_groups(root)
    areas = _areas_table(dic_table, groups)
    _write_table(areas, out / "areas.parquet")
    toc = _toc_table(dics, datasets, entries)
    _write_table(toc, out / "toc.parquet")
    langs = {lg: sorted(dic_table.loc[dic_table[f"label_{lg}"].notna(), "var"].unique().tolist()) for lg in LANGS}
    latest = max((e["vintage"][:10] for e in entries.values() if e["vintage"] != "unknown"), default="unknown")
    manifest = {
        "format_version": FORMAT_VERSION,
        "snapshot_id": f"ilostat-{latest}-{fingerprint}",
        "built_at": built_at,
        "built_from": str(root),
        "licence": LICENCE,
        "licence_url": "https://creativecommons.org/licenses/by/4.0/",
        "citation": PUBLISHER,
        "datasets": entries,
        "skipped": skipped,
        "dictionaries": {"file": "dictionaries.parquet", "vars": list(DIC_VARS),
                         "labels_by_language": langs,
                         "sources": sorted(_relpath(p, root) for p in root.rglob("*_en.csv")
                                           if _DIC_FILE.match(p.stem))
                                    + sorted(_relpath(p, root) for p in root.rglob("ILO_codelists_*.csv"))},
        "areas": {"file": "areas.parquet", "rows": int(len(areas)),
                  "groups_from": sorted(groups["areas_source"].dropna().unique().tolist()),
                  "with_ilo_region": int(areas["ilo_region"].notna().sum()),
                  "with_income_group": int(areas["income_group"].notna().sum())},
        "toc": {"file": "toc.parquet", "rows": int(len(toc)), "offline": int(toc["offline"].sum())},
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest


def _write_table(df: pd.DataFrame, path: Path) -> None:
    table = pa.Table.from_pandas(df, preserve_index=False).replace_schema_metadata(None)
    schema = pa.schema([pa.field(f.name, pa.string()) if pa.types.is_large_string(f.type) else f for f in table.schema])
    pq.write_table(table.cast(schema), path, compression="zstd", compression_level=9)


def _with_held_indicators(ind: pd.DataFrame, datasets: dict[str, _Dataset], codelists: pd.DataFrame) -> pd.DataFrame:
    """Add the held indicators the dictionary lacks: the file's own ``indicator.label``, else the SDMX
    ``CL_MEASURE`` name of its measure (``SDG_A821_NOC_RT`` -> ``SDG_A821_RT``, ilostat-api.md §2)."""
    known = set(ind["indicator"])
    measures = codelists[codelists["codelist_id"] == "CL_MEASURE"].set_index("code_id")["name_en"]
    rows = []
    for ds_id in sorted(datasets):
        code, frame = ds_id[:-2], datasets[ds_id].frame
        if code in known:
            continue
        label = None
        if "indicator.label" in frame.columns and frame["indicator.label"].notna().any():
            label = frame["indicator.label"].dropna().iloc[0]
        else:
            parts = code.split("_")
            measure = f"{parts[0]}_{parts[1]}_{parts[-1]}" if len(parts) >= 3 else None
            label = measures.get(measure) if measure else None
        if label is not None:
            rows.append({"indicator": code, "indicator.label": label})
            known.add(code)
    if not rows:
        return ind
    return pd.concat([ind, pd.DataFrame(rows, columns=["indicator", "indicator.label"])], ignore_index=True)


def _toc_table(dics: dict, datasets: dict[str, _Dataset], entries: dict) -> pd.DataFrame:
    ind = dics["indicator"]
    labels = dict(zip(ind["indicator"], ind["indicator.label"]))
    rows = []
    held = {ds_id[:-2] for ds_id in datasets}
    for ds_id, e in entries.items():
        ds = datasets[ds_id]
        label = labels.get(ds_id[:-2])
        if label is None and "indicator.label" in ds.frame.columns:
            label = ds.frame["indicator.label"].dropna().iloc[0]
        rows.append({"id": ds_id, "indicator": ds_id[:-2], "label": label, "freq": ds_id[-1],
                     "data_start": e["time_start"], "data_end": e["time_end"], "last_update": e["vintage"],
                     "n_records": e["rows"], "offline": True})
    for code, label in zip(ind["indicator"], ind["indicator.label"]):
        if code not in held:
            rows.append({"id": None, "indicator": code, "label": label, "freq": None, "data_start": None,
                         "data_end": None, "last_update": None, "n_records": None, "offline": False})
    toc = pd.DataFrame(rows, columns=_TOC_COLUMNS)
    toc = toc.astype({c: "string" for c in _TOC_COLUMNS if c not in ("n_records", "offline")})
    toc["n_records"] = toc["n_records"].astype("Int64")
    toc["offline"] = toc["offline"].astype(bool)
    return toc


# ---------------------------------------------------------------------------------------------- reading
_STRING = {pa.string(): pd.StringDtype(), pa.large_string(): pd.StringDtype()}
_PERIODS: pd.Series | None = None  # time text -> first day of the period, grown as periods are met


def _periods(time: pd.Series) -> pd.Series:
    """:func:`period_column` computed once per distinct period (the same result, a fraction of the time)."""
    global _PERIODS
    codes, uniq = pd.factorize(time)
    uniq = pd.Index(uniq)
    if _PERIODS is None:
        _PERIODS = period_column(pd.Series(uniq, dtype="string")).set_axis(uniq)
    missing = uniq.difference(_PERIODS.index)
    if len(missing):
        _PERIODS = pd.concat([_PERIODS, period_column(pd.Series(missing, dtype="string")).set_axis(missing)])
    values = _PERIODS.reindex(uniq).array.take(codes, allow_fill=True)  # -1 (missing time) -> NaT
    return pd.Series(values, index=time.index, name="period")


def _frame(table: pa.Table) -> pd.DataFrame:
    """The Arrow table of a snapshot file as :func:`tidy` would shape it.

    The build already wrote tidy's types (codes as trimmed strings with empty -> NA, ``obs_value`` float)
    in ILOSTAT's column order, so only the ``period`` column is added (tests check the equality).
    """
    df = table.to_pandas(types_mapper=_STRING.get)
    df["period"] = _periods(df["time"])
    return df


class Snapshot:
    """The offline snapshot at ``path`` (default: the one shipped in the package).

    Everything is read lazily and kept in memory after the first read (manifest at construction; toc,
    dictionaries and areas on first use; data files on every ``get``, only the one asked for).
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path).expanduser() if path is not None else DEFAULT_PATH
        mf = self.path / "manifest.json"
        if not mf.is_file():
            raise SnapshotError(f"Opening the offline snapshot at {self.path}", "manifest.json is missing",
                                "build it: evidencekit snapshot build --from <folder of ILOSTAT files>")
        try:
            manifest = json.loads(mf.read_text(encoding="utf-8"))
            if not isinstance(manifest.get("datasets"), dict) or "snapshot_id" not in manifest:
                raise ValueError("no 'datasets' or 'snapshot_id'")
        except (ValueError, UnicodeDecodeError) as err:
            raise SnapshotError(f"Opening the offline snapshot at {self.path}",
                                f"manifest.json is damaged ({err})",
                                "rebuild it: evidencekit snapshot build --from <folder of ILOSTAT files>") from err
        self.manifest: dict = manifest
        self._toc: pd.DataFrame | None = None
        self._dic: pd.DataFrame | None = None
        self._dic_cache: dict[tuple[str, str], pd.DataFrame] = {}
        self._areas: pd.DataFrame | None = None
        self._ind_labels: dict | None = None

    def __repr__(self) -> str:
        return f"Snapshot({self.manifest['snapshot_id']!r}, {len(self.datasets())} datasets, path={str(self.path)!r})"

    @property
    def snapshot_id(self) -> str:
        return self.manifest["snapshot_id"]

    def datasets(self) -> list[str]:
        """Ids of the datasets whose data the snapshot holds."""
        return sorted(self.manifest["datasets"])

    def has(self, dataset_id: str) -> bool:
        return str(dataset_id).strip().upper() in self.manifest["datasets"]

    def info(self) -> pd.DataFrame:
        """One row per dataset: id, layout, vintage, rows, periods, areas, source file."""
        rows = [{"id": k, **{f: v[f] for f in ("layout", "vintage", "rows", "time_start", "time_end",
                                              "n_ref_area", "source_file")}}
                for k, v in sorted(self.manifest["datasets"].items())]
        return pd.DataFrame(rows)

    # -- files
    def _read(self, name: str, **kwargs) -> pa.Table:
        path = self.path / name
        try:
            return pq.read_table(path, **kwargs)
        except (OSError, pa.ArrowException) as err:
            raise SnapshotError(f"Reading {path} of the offline snapshot", f"the file is missing or damaged ({err})",
                                "rebuild it: evidencekit snapshot build --from <folder of ILOSTAT files>") from err

    def toc(self) -> pd.DataFrame:
        """The catalogue offline: every indicator of the dictionary; data fields for the datasets held."""
        if self._toc is None:
            self._toc = self._read(self.manifest.get("toc", {}).get("file", "toc.parquet")).to_pandas()
        return self._toc.copy()

    def _dictionaries(self) -> pd.DataFrame:
        if self._dic is None:
            self._dic = self._read("dictionaries.parquet").to_pandas()
        return self._dic

    def dictionary(self, var: str, lang: str = "en") -> pd.DataFrame:
        """Codes and labels of ``var``: ``[var, f"{var}.label", "label_lang"]`` (+ ``ref_area`` for source).

        ``lang`` fr/es: the ILO SDMX codelist names where they name the code (ref_area, sex, obs_status and
        most classif1/classif2 codes); every other code keeps its English label and says so in
        ``label_lang`` (indicator, source and note labels exist offline in English only).
        """
        var = str(var).strip()
        lang = str(lang).strip().lower()
        if var not in DIC_VARS:
            raise NotAvailableOfflineError(f"The dictionary {var!r}", "is not one ILOSTAT publishes",
                                           f"choose one of {', '.join(DIC_VARS)}")
        if lang not in LANGS:
            raise NotAvailableOfflineError(f"The language {lang!r}", "is not offered by ILOSTAT",
                                           "use 'en', 'fr' or 'es'")
        key = (var, lang)
        if key not in self._dic_cache:
            d = self._dictionaries()
            d = d[d["var"] == var]
            label = d[f"label_{lang}"].fillna(d["label_en"]) if lang != "en" else d["label_en"]
            used = pd.Series(np.where(d[f"label_{lang}"].notna(), lang, "en"), index=d.index, dtype="string")
            out = pd.DataFrame({var: d["code"], f"{var}.label": label, "label_lang": used})
            if var == "source":
                out["ref_area"] = d["ref_area"]
            self._dic_cache[key] = out.reset_index(drop=True)
        return self._dic_cache[key].copy()

    def _dictionary_shared(self, var: str, lang: str) -> pd.DataFrame:
        """:meth:`dictionary` without the defensive copy, for internal read-only use."""
        if (var, lang) not in self._dic_cache:
            self.dictionary(var, lang)
        return self._dic_cache[(var, lang)]

    def areas(self) -> pd.DataFrame:
        """ref_area, ref_area.label, is_aggregate, ilo_region(.label), income_group(.label) (World Bank).

        Regions and income groups come from the ``ILO_REGION`` / ``WB_INCOME_GROUP`` annotations of the ILO
        SDMX ``CL_AREA`` codelist; codes that codelist lacks have them empty (NA), never guessed.
        """
        if self._areas is None:
            self._areas = self._read("areas.parquet").to_pandas()
        return self._areas.copy()

    # -- data
    def get(self, query: Query) -> pd.DataFrame:
        """The rows of ``query`` from the snapshot, in :func:`tidy` shape, with provenance attached."""
        entry = self.manifest["datasets"].get(query.id)
        if entry is None:
            close = suggest(query.id, self.toc().query("offline"), n=5)
            raise NotAvailableOfflineError(
                f"The indicator {query.id}", "is not in the offline snapshot",
                (f"go online for it, or use a dataset the snapshot holds, closest first: {', '.join(close)}"
                 if close else "go online for it")
                + f" (the snapshot holds {len(self.datasets())} datasets; `evidencekit search WORDS` lists them)")
        cols = entry["columns"]
        pushed = [(name, "in", list(codes)) for name, codes in query.filters().items() if name in cols]
        read_cols = None if query.labels else cols
        table = self._read(entry["file"], columns=read_cols, filters=pushed or None)
        if pushed and table.num_rows == 0:  # let filter_frame name the filter and the codes that exist
            table = self._read(entry["file"], columns=read_cols)
        df = filter_frame(_frame(table), query, where=_WHERE, explain=self._explainer(query, entry["vintage"]))
        df = df.reset_index(drop=True)
        record = provenance("snapshot", query.id, snapshot_id=self.snapshot_id, vintage=entry["vintage"],
                            label=entry.get("label") or self._indicator_label(query.id[:-2]))
        if query.labels:
            df, record["labels"] = self._label(df, query.lang)
        return attach(df, record)

    def _explainer(self, query: Query, vintage: str):
        """For :func:`filter_frame`: codes without rows here are either ILOSTAT codes this copy does not hold
        (newer data may have them: go online) or not ILOSTAT codes (a typo, a name: the closest codes held)."""

        def explain(name: str, codes: tuple[str, ...], have: list[str]) -> tuple[str, str] | None:
            if name not in DIC_VARS:
                return None
            dic = self._dictionary_shared(name, "en")
            labels = dict(zip(dic[name].astype(str).str.upper(), dic[f"{name}.label"]))
            known = [c for c in codes if c in labels]
            unknown = [c for c in codes if c not in labels]
            why, fix = [], []
            if known:
                named = ", ".join(f"{c} ({labels[c]})" if pd.notna(labels[c]) else c for c in known)
                others = " with the other filters" if len(query.filters()) > 1 else ""
                why.append(f"{named} {'is an ILOSTAT code' if len(known) == 1 else 'are ILOSTAT codes'}, but the "
                           f"offline snapshot's copy of {query.id} (release {vintage}) has no rows for "
                           f"{'it' if len(known) == 1 else 'them'}{others}")
                fix.append("get it from ILOSTAT online (offline=False, once ILOSTAT can be reached), where newer data "
                           "may have it.")
            if unknown:
                why.append(f"{', '.join(unknown)} {'is not an ILOSTAT code' if len(unknown) == 1 else 'are not ILOSTAT codes'}"
                           f" for {name}")
                held = dic[dic[name].isin(have)]
                hints = list(dict.fromkeys(h for c in unknown for h in closest_codes(c, held, 3)))
                if hints:
                    fix.append(f"did you mean {' or '.join(hints)}?")
            shown = ", ".join(have[:25]) + (f", … ({len(have)} in all)" if len(have) > 25 else "")
            fix.append(f"the codes the offline snapshot holds: {shown}")
            return "; ".join(why), " ".join([fix[0]] + [f[0].upper() + f[1:] for f in fix[1:]])

        return explain

    def _indicator_label(self, indicator: str) -> str | None:
        if self._ind_labels is None:
            d = self._dictionary_shared("indicator", "en")
            self._ind_labels = dict(zip(d["indicator"], d["indicator.label"]))
        label = self._ind_labels.get(indicator)
        return None if label is None or pd.isna(label) else str(label)

    def _label(self, df: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, dict]:
        """Add labels; the file's own labels (its release) win in English, SDMX names in fr/es."""
        if lang == "en":
            return (add_labels(df, lambda var: self._dictionary_shared(var, "en")),
                    {"lang": "en", "fallback_to_en": {}})
        translated = {col: self._translations(df, col, lang) for col in LABELLED if col in df.columns}
        out = add_labels(df, lambda var: translated[var][0] if var in translated else pd.DataFrame(),
                         prefer_existing=False)
        fallback = english_fallback(out, {col: in_lang for col, (_, in_lang) in translated.items()}, lang, stacklevel=3)
        return out, {"lang": lang, "fallback_to_en": fallback}

    def _translations(self, df: pd.DataFrame, col: str, lang: str) -> tuple[pd.DataFrame, set]:
        """The dictionary to label ``col`` in ``lang`` and the codes it truly has in ``lang``.

        Codes without a ``lang`` name get their English label, except where the file carries its own label
        (an explorer export), which is kept. A translation is not used when the file's own label says
        something else than the English label it was made from (the file's "Currency: 2021 PPP $" against
        the codelist's "2017 PPP $"): the file's label is kept.
        """
        dic = self._dictionary_shared(col, lang)
        name = f"{col}.label"
        own = name in df.columns
        differ: set = set()
        if own and col not in NOTE_COLUMNS:
            english = self._dictionary_shared(col, "en").drop_duplicates(col).set_index(col)[name]

            def core(text: object) -> str:
                return normalise(str(text).split(": ", 1)[-1])

            pairs = df[[col, name]].dropna().drop_duplicates()
            differ = {c for c, lab in pairs.itertuples(index=False)
                      if c in english.index and core(english[c]) != core(lab)}
        in_lang = (dic["label_lang"] == lang) & ~dic[col].isin(differ)
        keep = in_lang if own else (in_lang | (dic["label_lang"] == "en") & ~dic[col].isin(differ))
        return dic[keep], set(dic.loc[in_lang, col])
