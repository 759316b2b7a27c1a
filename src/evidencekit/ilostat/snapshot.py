"""The embedded offline ILOSTAT snapshot, read without a network (built by :mod:`evidencekit.ilostat.build`).

One Parquet file per dataset, the dictionaries, the offline catalogue, the areas table and ``manifest.json``
(``docs/ilostat.md``, "The offline snapshot"). :class:`Snapshot` reads them lazily: ``get`` opens only the
Parquet file of the dataset asked for and pushes the code filters down to pyarrow. The disk cache stores its
copies in the same layout (:func:`write_data`, :func:`read_data`), so both are read equally fast.

>>> snap = Snapshot()
>>> "SDG_0852_SEX_AGE_RT_A" in snap.datasets()
True
>>> df = snap.get(Query.build("SDG_0852_SEX_AGE_RT_A", ref_area="PHL", sex="T", start=2019, end=2020))
>>> df[["ref_area", "sex", "time"]].drop_duplicates().shape[0] > 0, df.attrs["provenance"]["origin"]
(True, 'snapshot')
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from evidencekit.ilostat.catalogue import closest_codes, normalise, suggest
from evidencekit.ilostat.errors import NotAvailableOfflineError, SnapshotError
from evidencekit.ilostat.formats import AREA_COLUMNS, TOC_COLUMNS
from evidencekit.ilostat.labels import LABELLED, NOTE_COLUMNS, add_labels, english_fallback
from evidencekit.ilostat.query import LANGS, Query, filter_frame, period_column
from evidencekit.ilostat.tidy import attach, provenance

__all__ = ["Snapshot", "DEFAULT_PATH", "FORMAT_VERSION", "write_data", "read_data"]

DEFAULT_PATH = Path(__file__).resolve().parents[1] / "data" / "ilostat"
FORMAT_VERSION = 1
DIC_VARS = ("indicator", "ref_area", "sex", "classif1", "classif2", "source", "obs_status",
            "note_classif", "note_indicator", "note_source")
TOC_FILE_COLUMNS = TOC_COLUMNS
ROW_GROUP = 4096
_WHERE = "the offline snapshot"


# ------------------------------------------------------------------------------------ the stored layout
def write_data(df: pd.DataFrame, target) -> None:
    """Write a tidy ILOSTAT frame (without ``period``) in the stored layout: rows grouped by ``ref_area``
    (stable) in row groups of 4,096 with min/max statistics, so a ``ref_area`` filter reads only the groups
    that can hold the code; codes as dictionary-encoded strings, ``obs_value`` float64, zstd, and a CRC per
    page so that a damaged file is found when read (``target``: a path or a writable buffer)."""
    df = df.drop(columns="period", errors="ignore").sort_values("ref_area", kind="stable", na_position="last")
    fields = [pa.field(c, pa.float64() if c == "obs_value" else pa.string()) for c in df.columns]
    table = pa.Table.from_pandas(df, schema=pa.schema(fields), preserve_index=False)
    table = table.replace_schema_metadata(None)
    pq.write_table(table, target, compression="zstd", compression_level=9, use_dictionary=True,
                   write_statistics=True, row_group_size=ROW_GROUP, write_page_checksum=True)


def read_data(source, query: Query | None = None, columns: list[str] | None = None) -> pd.DataFrame:
    """Read a file written by :func:`write_data` in :func:`~evidencekit.ilostat.tidy.tidy`'s shape, with the
    ``query``'s code filters pushed down (only for ``columns`` the file has). Raises what pyarrow raises."""
    have = columns if columns is not None else pq.read_schema(source).names
    pushed = [(name, "in", list(codes)) for name, codes in (query.filters().items() if query else []) if name in have]
    table = pq.read_table(source, columns=columns, filters=pushed or None, page_checksum_verification=True)
    if pushed and table.num_rows == 0:  # let filter_frame name the filter and the codes that exist
        table = pq.read_table(source, columns=columns, page_checksum_verification=True)
    return _frame(table)


# ---------------------------------------------------------------------------------------------- reading
_STRING = {pa.string(): pd.StringDtype(), pa.large_string(): pd.StringDtype()}
_PERIODS: pd.Series | None = None  # time text -> first day of the period, grown as periods are met


def periods(time: pd.Series) -> pd.Series:
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
    if "time" in df.columns:
        df["period"] = periods(df["time"])
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
                                "build it: evidencekit snapshot build --from <folder of ILOSTAT files> --out <folder>")
        try:
            manifest = json.loads(mf.read_text(encoding="utf-8"))
            if not isinstance(manifest.get("datasets"), dict) or "snapshot_id" not in manifest:
                raise ValueError("no 'datasets' or 'snapshot_id'")
        except (ValueError, UnicodeDecodeError) as err:
            raise SnapshotError(f"Opening the offline snapshot at {self.path}",
                                f"manifest.json is damaged ({err})",
                                "rebuild it: evidencekit snapshot build --from <folder of ILOSTAT files> "
                                "--out <folder>") from err
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
                                "rebuild it: evidencekit snapshot build --from <folder of ILOSTAT files> "
                                "--out <folder>") from err

    def toc(self) -> pd.DataFrame:
        """The catalogue offline: every indicator of the dictionary; data fields for the datasets held."""
        if self._toc is None:
            toc = self._read(self.manifest.get("toc", {}).get("file", "toc.parquet")).to_pandas()
            if list(toc.columns) != TOC_COLUMNS:   # a snapshot built before every catalogue column was written
                toc = toc.reindex(columns=TOC_COLUMNS).astype({c: "string" for c in ("subject", "database", "with_region")})
            self._toc = toc
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
        """The areas in :data:`~evidencekit.ilostat.formats.AREA_COLUMNS`: code, name, aggregate or not, ILO
        region, sub-regions, income group (World Bank).

        Regions and income groups come from the ``ILO_REGION`` / ``WB_INCOME_GROUP`` annotations of the ILO
        SDMX ``CL_AREA`` codelist; codes that codelist lacks have them empty (NA), never guessed. The codelist
        has no sub-regions: those columns are empty offline (ILOSTAT's live areas list fills them).
        """
        if self._areas is None:
            self._areas = self._read("areas.parquet").to_pandas().reindex(columns=AREA_COLUMNS)
        return self._areas.copy()

    # -- data
    def get(self, query: Query, *, stale: bool = False) -> pd.DataFrame:
        """The rows of ``query`` from the snapshot, in :func:`tidy` shape, with provenance attached
        (``stale``: the snapshot answers because ILOSTAT could not; said in the provenance)."""
        entry = self.manifest["datasets"].get(query.id)
        if entry is None:
            close = suggest(query.id, self.toc().query("offline"), n=5)
            raise NotAvailableOfflineError(
                f"The indicator {query.id}", "is not in the offline snapshot",
                (f"go online for it, or use a dataset the snapshot holds, closest first: {', '.join(close)}"
                 if close else "go online for it")
                + f" (the snapshot holds {len(self.datasets())} datasets; `evidencekit search WORDS` lists them)")
        path = self.path / entry["file"]
        try:
            df = read_data(path, query, columns=None if query.labels else entry["columns"])
        except (OSError, pa.ArrowException) as err:
            raise SnapshotError(f"Reading {path} of the offline snapshot", f"the file is missing or damaged ({err})",
                                "rebuild it: evidencekit snapshot build --from <folder of ILOSTAT files> "
                                "--out <folder>") from err
        df = filter_frame(df, query, where=_WHERE, explain=self._explainer(query, entry["vintage"]))
        df = df.reset_index(drop=True)
        labels = None
        if query.labels:
            df, labels = self._label(df, query.lang)
        return attach(df, provenance("snapshot", query.id, snapshot_id=self.snapshot_id, vintage=entry["vintage"],
                                     label=entry.get("label") or self._indicator_label(query.id[:-2]),
                                     stale=stale, query=query, labels=labels))

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
                fix.append("get it from ILOSTAT online, without offline mode, once ILOSTAT can be reached: newer "
                           "data may have it.")
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
