"""Build the offline ILOSTAT snapshot from a folder of ILOSTAT-format files (``evidencekit snapshot build``).

Reading the files is :mod:`evidencekit.ilostat.formats`' work (the same readers as the client's); checking
them is :mod:`evidencekit.ilostat.validate`'s (the same rules as for live answers). This module maps explorer
labels back to codes, joins the dictionaries, and writes the snapshot that
:class:`~evidencekit.ilostat.snapshot.Snapshot` reads: one Parquet file per dataset (zstd, code columns
dictionary-encoded, rows grouped by area), the dictionaries (English from the bulk dictionaries; French and
Spanish from the ILO SDMX codelists where they name the same code), the offline catalogue, the areas table and
``manifest.json`` (``docs/ilostat.md``, "The offline snapshot").

Input layouts (``manifest[datasets][id][layout]``):

* ``bulk`` — ILOSTAT bulk / rplumber CSV with codes (``ref_area, indicator, source, sex, classif1, …``).
* ``explorer`` — data-explorer exports with ``<col>.label`` columns, with or without the codes. Label-only
  columns are mapped back to codes through the dictionaries (exact label, then ILOSTAT's other label forms:
  ``"Total"`` for ``"Sex: Total"``, ``"2021 PPP $"`` for ``"2017 PPP $"`` — both code ``CUR_TYPE_PPP``);
  a label that no dictionary names, or that names two codes, leaves the code empty and is counted in
  ``manifest[datasets][id][unmapped]``; the export's own labels are kept beside the codes.
* ``ddf`` — open-numbers DDF datapoints (``ddf--datapoints--<ind>--by--ref_area--time.csv``, lower-case
  codes) or a long file derived from DDF (folder ``ddf/``).

**Vintage** (release date) of each file, from machine-readable records only, in this order: the date ILOSTAT
put in the file name (``-filtered-2025-06-01``, ``-20251121T2048``); else the release record
(:data:`RELEASES`, or ``releases=``), which gives a date per file **by its sha256** (a changed file loses its
date); else ``"unknown"``. Prose such as a ``PROVENANCE.md`` is never read.

The output folder is always named: nothing is written into the installed package unless that folder is
given (``evidencekit snapshot build --into-package``).
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Iterable

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from evidencekit.ilostat.catalogue import normalise
from evidencekit.ilostat.errors import SnapshotError
from evidencekit.ilostat.formats import (
    COLUMNS, LICENCE, LICENCE_URL, PUBLISHER, FormatError, RawDataset, read_area_groups, read_codelists,
    read_data_file, read_dictionary,
)
from evidencekit.ilostat.labels import LABELLED, NOTE_COLUMNS, NOTE_JOIN
from evidencekit.ilostat.query import LANGS
from evidencekit.ilostat.snapshot import DIC_VARS, FORMAT_VERSION, TOC_FILE_COLUMNS, periods
from evidencekit.ilostat.tidy import now_utc
from evidencekit.ilostat.validate import problems, summary

__all__ = ["build", "RELEASES", "ROW_GROUP"]

RELEASES = Path(__file__).with_name("releases.json")   # the project's record of the shared files' release dates
ROW_GROUP = 4096
STAGING_MAX_AGE = 3600.0   # a staging folder older than this was left by a killed build: removed
_NAME_DATE = re.compile(r"-(?:full-|filtered-)?(\d{4})-?(\d{2})-?(\d{2})(?:T(\d{2})(\d{2}))?$")
_DIC_FILE = re.compile(r"^(" + "|".join(DIC_VARS) + r")_(en|fr|es)$")
# SDMX codelists whose codes are the same strings as the bulk code of these variables
_SDMX_VAR = {"ref_area": ("CL_AREA",), "sex": ("CL_SEX",), "obs_status": ("CL_OBS_STATUS",)}
_NOT_CLASSIF = {"CL_AREA", "CL_SEX", "CL_OBS_STATUS", "CL_MEASURE", "CL_FREQ", "CL_DECIMALS", "CL_UNIT_MEASURE",
                "CL_UNIT_MEASURE_TYPE", "CL_UNIT_MULT"}


def _relpath(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


# ------------------------------------------------------------------------------------------- vintages
def read_releases(path: Path) -> dict[str, dict]:
    """The release record: ``{sha256: {"file", "vintage", "basis"}}`` from a JSON file ``{"files": [...]}``.

    >>> rec = read_releases(RELEASES)
    >>> sorted({r["vintage"] for r in rec.values() if r["file"].startswith("bulk/")})[:2]
    ['2023-11-29', '2024-02-29']
    """
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
        files = doc["files"]
        out = {}
        for item in files:
            sha, vintage = str(item["sha256"]).lower(), item.get("vintage")
            if not re.fullmatch(r"[0-9a-f]{64}", sha) or not (vintage is None or re.fullmatch(
                    r"\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2})?", str(vintage))):
                raise ValueError(f"an entry has no sha256 or a vintage that is not a date: {item}")
            out[sha] = {"file": str(item.get("file") or ""), "vintage": vintage, "basis": str(item.get("basis") or "")}
        return out
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise SnapshotError(f"Reading the release record {path}", f"it is not a release record ({err})",
                            'give a JSON file {"files": [{"sha256": …, "file": …, "vintage": "YYYY-MM-DD"}]}') from None


def _vintage(rel: str, sha: str, releases: dict[str, dict], record: str) -> tuple[str, str]:
    """(vintage, how) for a data file: file-name date, else the release record (by sha256), else unknown."""
    stem = Path(rel).name
    for suffix in (".gz", ".csv"):
        stem = stem.removesuffix(suffix)
    m = _NAME_DATE.search(stem)
    if m:
        y, mo, d, hh, mm = m.groups()
        return f"{y}-{mo}-{d}" + (f"T{hh}:{mm}" if hh else ""), "file name (ILOSTAT download date)"
    entry = releases.get(sha)
    if entry and entry["vintage"]:
        return entry["vintage"], f"release record {record}: {entry['basis']}"
    if entry:
        return "unknown", f"release record {record}: {entry['basis']}"
    return "unknown", "no date in the file name, and the file is not in the release record"


# ------------------------------------------------------------------------------------------ dictionaries
def _read_dictionaries(root: Path) -> dict[str, pd.DataFrame]:
    out = {}
    for path in sorted(root.rglob("*.csv")):
        m = _DIC_FILE.match(path.stem)
        if m and m.group(2) == "en":
            out[m.group(1)] = read_dictionary(path, m.group(1))
    return out


def _sdmx_names(codelists: pd.DataFrame, var: str) -> pd.DataFrame:
    """code -> name_en/fr/es for a variable; classif codes get ILOSTAT's ``"<group>: <item>"`` form."""
    cl = codelists
    if var in _SDMX_VAR:
        sub = cl[cl["codelist_id"].isin(_SDMX_VAR[var])]
        return sub[["code_id", "name_en", "name_fr", "name_es"]].drop_duplicates("code_id")
    if var in ("classif1", "classif2"):
        sub = cl[~cl["codelist_id"].isin(_NOT_CLASSIF)]
        parents = sub[["codelist_id", "code_id", "name_en", "name_fr", "name_es"]].drop_duplicates(
            ["codelist_id", "code_id"]).rename(columns={"code_id": "parent_code_id", "name_en": "p_en",
                                                        "name_fr": "p_fr", "name_es": "p_es"})
        both = sub.merge(parents, on=["codelist_id", "parent_code_id"], how="left")
        out = pd.DataFrame({"code_id": both["code_id"]})
        for lg in LANGS:
            name, parent = both[f"name_{lg}"], both[f"p_{lg}"]
            out[f"name_{lg}"] = (parent + ": " + name).where(parent.notna() & name.notna(), name)
        return out.drop_duplicates("code_id").reset_index(drop=True)
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


def _dataset(path: Path, rel: str, dics: dict, codelists: pd.DataFrame) -> RawDataset:
    """Read one data file, map explorer labels to codes, check it, and put it in ILOSTAT's column order."""
    ds = read_data_file(path, rel)
    df = ds.frame
    if any(c.endswith(".label") for c in df.columns):
        df, ds.unmapped = _codes_from_labels(df, ds.id, dics, codelists)
    if "indicator" not in df.columns:
        df.insert(0, "indicator", ds.id[:-2])
    codes = [c for c in COLUMNS if c in df.columns]
    labels = [f"{c}.label" for c in LABELLED if f"{c}.label" in df.columns]
    extra = [c for c in df.columns if c not in codes and c not in labels]
    if extra:
        raise SnapshotError(f"Building the snapshot from {path}", f"it has unexpected columns {extra}",
                            "give the ILOSTAT bulk/explorer/DDF file itself")
    found = problems(df[codes], ds.id)
    if found:
        raise SnapshotError(f"Building the snapshot from {path}", f"it is not what {ds.id} should be: {summary(found)}",
                            "check that the file is the ILOSTAT download of that dataset")
    df = df[codes + labels].copy()
    for col in df.columns:
        df[col] = df[col].astype("string") if col != "obs_value" else pd.to_numeric(df[col]).astype("float64")
    ds.frame = df.reset_index(drop=True)
    return ds


# ---------------------------------------------------------------------------------------------- writing
def _write_parquet(df: pd.DataFrame, path: Path) -> None:
    """Rows grouped by ref_area (stable: the file's order within an area) in row groups of 4,096, so a
    ``ref_area`` filter reads only the groups whose min/max statistics can hold the code (the disk cache
    writes its copies the same way: :func:`evidencekit.ilostat.snapshot.write_data`)."""
    from evidencekit.ilostat.snapshot import write_data

    write_data(df, path)


def _write_table(df: pd.DataFrame, path: Path) -> None:
    table = pa.Table.from_pandas(df, preserve_index=False).replace_schema_metadata(None)
    schema = pa.schema([pa.field(f.name, pa.string()) if pa.types.is_large_string(f.type) else f for f in table.schema])
    pq.write_table(table.cast(schema), path, compression="zstd", compression_level=9)


def _areas_table(dic_table: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """The offline areas table in :data:`~evidencekit.ilostat.formats.AREA_COLUMNS` (sub-regions empty: the
    SDMX codelist annotates regions and income groups only)."""
    from evidencekit.ilostat.formats import AREA_COLUMNS

    names = dic_table[dic_table["var"] == "ref_area"].set_index("code")["label_en"]
    names = names[~names.index.duplicated()]
    codes = sorted(c for c in set(names.index) | set(groups["ref_area"].dropna()) if not c.startswith("_"))
    # ("_Z" is SDMX's "not applicable", not an area)
    out = pd.DataFrame({"ref_area": codes})
    out["ref_area.label"] = out["ref_area"].map(names)
    out["is_aggregate"] = out["ref_area"].str.startswith("X")
    g = groups.drop_duplicates("ref_area").set_index("ref_area")
    for col in ("ilo_region", "ilo_subregion_broad", "ilo_subregion_detailed", "income_group"):
        vals = out["ref_area"].map(g[col]) if len(g) and col in g.columns else pd.Series(pd.NA, index=out.index)
        vals = vals.where(vals != "_Z")  # "_Z" = not applicable (aggregates)
        out[col] = vals
        out[f"{col}.label"] = vals.map(names)
    return out[AREA_COLUMNS].astype({c: "string" for c in AREA_COLUMNS if c != "is_aggregate"})


def _with_held_indicators(ind: pd.DataFrame, datasets: dict[str, RawDataset], codelists: pd.DataFrame) -> pd.DataFrame:
    """Add the held indicators the dictionary lacks: the file's own ``indicator.label``, else the SDMX
    ``CL_MEASURE`` name of its measure (``SDG_A821_NOC_RT`` -> ``SDG_A821_RT``, docs/ilostat.md "Identifiers")."""
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


def _toc_table(dics: dict, datasets: dict[str, RawDataset], entries: dict) -> pd.DataFrame:
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
    toc = pd.DataFrame(rows, columns=TOC_FILE_COLUMNS)
    toc = toc.astype({c: "string" for c in TOC_FILE_COLUMNS if c not in ("n_records", "offline")})
    toc["n_records"] = toc["n_records"].astype("Int64")
    toc["offline"] = toc["offline"].astype(bool)
    return toc


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


def build(src_dir: str | Path, out_dir: str | Path, *, releases: str | Path | None = None,
          progress: bool = True) -> dict:
    """Build the offline snapshot from a folder of ILOSTAT-format files into ``out_dir``; return the manifest.

    Reads every data CSV under ``src_dir`` (bulk, explorer, DDF; ``derived/`` is skipped and listed in the
    manifest), the bulk dictionaries (``<var>_en.csv``), the flattened SDMX codelists (``ILO_codelists_*.csv``,
    for French and Spanish labels) and the SDMX structure XML (``CL_AREA`` regions and income groups).
    ``releases``: the release record (default ``src_dir/releases.json`` when there is one, else
    :data:`RELEASES`). Writes ``<out_dir>/data/<ID>.parquet``, ``dictionaries.parquet``, ``toc.parquet``,
    ``areas.parquet`` and ``manifest.json``; a file that is not ILOSTAT-format, or not the dataset its id
    says, is a :class:`SnapshotError` naming it.
    """
    from tqdm.auto import tqdm

    root = Path(src_dir).expanduser()
    out = Path(out_dir).expanduser()
    if not root.is_dir():
        raise SnapshotError(f"Building the snapshot from {root}",
                            "that is a file, not a folder" if root.exists() else "the folder does not exist",
                            "give the folder that holds the ILOSTAT downloads (bulk/explorer/DDF files and dictionaries)")
    _check_out(out)
    shutil.rmtree(_staging(out))  # can it be written at all? (said now, not after reading every file)
    record = Path(releases).expanduser() if releases is not None else (
        root / "releases.json" if (root / "releases.json").is_file() else RELEASES)
    release_dates = read_releases(record)
    files, skipped = _data_files(root)
    if not files:
        raise SnapshotError(f"Building the snapshot from {root}", "the folder holds no ILOSTAT data CSV files",
                            "give the folder with the bulk/explorer/DDF downloads (*.csv or *.csv.gz)")
    try:
        dics = _read_dictionaries(root)
        if "indicator" not in dics or "ref_area" not in dics:
            raise SnapshotError(f"Building the snapshot from {root}",
                                "the ILOSTAT dictionaries indicator_en.csv and ref_area_en.csv are missing",
                                "add the bulk-download dictionaries (dictionaries/<var>_en.csv) to the folder")
        codelist_files = sorted(root.rglob("ILO_codelists_*.csv"))
        codelists = read_codelists(codelist_files[-1] if codelist_files else None)
        datasets: dict[str, RawDataset] = {}
        for path in tqdm(files, desc="ILOSTAT snapshot", unit="file", disable=not progress):
            ds = _dataset(path, _relpath(path, root), dics, codelists)
            if ds.id in datasets:
                raise SnapshotError(f"Building the snapshot from {path}",
                                    f"dataset {ds.id} is also in {datasets[ds.id].source_file}",
                                    "keep one file per dataset in the input folder")
            datasets[ds.id] = ds
    except FormatError as err:
        raise SnapshotError(err.what, err.why, err.fix) from None

    dics["indicator"] = _with_held_indicators(dics["indicator"], datasets, codelists)
    fingerprint, sums = _fingerprint(files + [p for p in root.rglob("*_en.csv")], root)
    final, out = out, _staging(out)
    try:
        manifest = _write_snapshot(out, datasets, dics, codelists, release_dates, record, sums, fingerprint,
                                   skipped, root)
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
    """A fresh folder beside ``out`` to build into (:class:`SnapshotError` when that place cannot be written).

    Staging folders of earlier builds that were killed (older than :data:`STAGING_MAX_AGE`) are removed first.
    """
    _check_out(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        for old in out.parent.glob(f".{out.name}-building-*"):
            try:
                if time.time() - old.stat().st_mtime > STAGING_MAX_AGE:
                    shutil.rmtree(old, ignore_errors=True)
            except OSError:
                pass
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


def _write_snapshot(out: Path, datasets: dict, dics: dict, codelists: pd.DataFrame, releases: dict, record: Path,
                    sums: dict, fingerprint: str, skipped: list, root: Path) -> dict:
    (out / "data").mkdir(parents=True, exist_ok=True)
    ind_labels = dict(zip(dics["indicator"]["indicator"], dics["indicator"]["indicator.label"]))
    record_name = record.name if record == RELEASES else str(record)
    entries = {}
    for ds_id in sorted(datasets):
        ds = datasets[ds_id]
        df = ds.frame
        vintage, how = _vintage(ds.source_file, sums[ds.source_file], releases, record_name)
        per = periods(df["time"])
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
    xml = sorted(root.rglob("*.xml")) + sorted(root.rglob("*.xml.gz"))
    groups = read_area_groups(xml)
    areas = _areas_table(dic_table, groups)
    _write_table(areas, out / "areas.parquet")
    toc = _toc_table(dics, datasets, entries)
    _write_table(toc, out / "toc.parquet")
    langs = {lg: sorted(dic_table.loc[dic_table[f"label_{lg}"].notna(), "var"].unique().tolist()) for lg in LANGS}
    latest = max((e["vintage"][:10] for e in entries.values() if e["vintage"] != "unknown"), default="unknown")
    manifest = {
        "format_version": FORMAT_VERSION,
        "snapshot_id": f"ilostat-{latest}-{fingerprint}",
        "built_at": now_utc(),
        "built_from": str(root),
        "releases_from": record_name,
        "publisher": PUBLISHER,
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
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
