"""A survey: the microdata, its sampling design (weight, strata, PSU), its labels and where it comes from.

The design follows R ``survey``'s ``svydesign(ids=~psu, strata=~strata, weights=~w, nest=TRUE)``:
PSU codes are taken within their stratum when ``nest=True``; without strata the whole file is one
stratum; without PSU each record is its own PSU; without weight every record weighs 1 (and the
estimates say so in their flags).

**Evident weight.** When no weight is named and the data hold the ILO harmonised weight column ``ilo_wgt``,
that column is the weight, and ``notes`` says so (an unweighted estimate of a weighted survey is a wrong
number). ``weight=False`` estimates unweighted on purpose. See ``docs/microdata.md``.

**Provenance.** ``meta`` holds what the reader knows of the file (file name, format, when it was read, and
the publisher, licence and dataset name a mapping declares); :attr:`Survey.provenance` turns it into the
record every estimate carries (``docs/microdata.md``, "Provenance"). ``checks`` holds problems found in the
data (e.g. repeated records) as short codes with their explanation; every estimate carries them as flags.

>>> import pandas as pd
>>> s = Survey(pd.DataFrame({"w": [1.5, 2.0], "st": [1, 1], "ea": [1, 2]}), weight="w", strata="st", psu="ea")
>>> s.design_summary()
{'records': 2, 'weight': 'w', 'strata': 'st', 'psu': 'ea', 'nest': True, 'n_strata': 1, 'n_psu': 2}
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from evidencekit.errors import InputError
from evidencekit.microdata.errors import ColumnError, decimal_comma_hint, suggest
from evidencekit.microdata.provenance import survey_provenance

EVIDENT_WEIGHT = "ilo_wgt"  # the ILO harmonised weight: used when no weight is named (docs/microdata.md)


@dataclass
class Survey:
    """Microdata plus design. ``value_labels`` maps column -> {code: label}; ``source`` names the file;
    ``concepts`` names the harmonised columns a mapping built on a national concept instead of the ILO one
    (estimates that use them say so in their flags); ``meta`` what is known of the file (see
    :attr:`provenance`); ``checks`` problems found in the data, code -> explanation (estimates flag them).
    ``weight=False``: no weight, on purpose (otherwise an ``ilo_wgt`` column is taken as the weight)."""

    data: pd.DataFrame
    weight: str | None = None
    strata: str | None = None
    psu: str | None = None
    nest: bool = True
    fpc: str | None = None
    value_labels: dict[str, dict] = field(default_factory=dict)
    variable_labels: dict[str, str] = field(default_factory=dict)
    source: str | None = None
    mapping: str | None = None
    notes: list[str] = field(default_factory=list)
    concepts: dict[str, str] = field(default_factory=dict)  # ilo_* column -> the national concept it holds
    meta: dict = field(default_factory=dict)      # file, format, read_at, dataset, publisher, licence, synthetic
    checks: dict[str, str] = field(default_factory=dict)  # flag code -> what was found in the data

    def __post_init__(self) -> None:
        if not isinstance(self.data, pd.DataFrame):
            raise InputError(
                "Making a Survey", f"data is a {type(self.data).__name__}, not a pandas DataFrame",
                "pass a DataFrame, or read a file with evidencekit.microdata.read(path)",
            )
        where = f"the survey {self.source!r}" if self.source else "the survey"
        self.meta = dict(self.meta)
        self.notes, self.checks = list(self.notes), dict(self.checks)
        if self.weight is False:        # unweighted on purpose
            self.weight = None
            self.meta["unweighted"] = True
        elif self.weight is None and EVIDENT_WEIGHT in self.data.columns and not self.meta.get("unweighted"):
            self.weight = EVIDENT_WEIGHT
            if self.meta.get("weight_rule") != "evident":
                self.notes.append(
                    f"Weight: {EVIDENT_WEIGHT!r} (not named; it is the ILO harmonised weight column, so it is used). "
                    "Name another with weight=COLUMN, or pass weight=False to estimate unweighted on purpose.")
            self.meta["weight_rule"] = "evident"
        elif self.weight is not None:
            self.meta.pop("unweighted", None)
            if self.meta.get("weight_rule") == "evident" and self.weight != EVIDENT_WEIGHT:
                self.meta.pop("weight_rule")
        repeated = self.data.columns[self.data.columns.duplicated()]
        if len(repeated):
            raise ColumnError(
                f"Making {where}", f"the column name(s) {sorted(set(map(str, repeated)))} appear more than once",
                "give each column its own name (rename the repeated ones) before making the Survey",
            )
        for role in ("weight", "strata", "psu", "fpc"):
            col = getattr(self, role)
            if isinstance(col, bool):
                raise InputError(f"The {role} of {where}", f"{role}={col!r} is not a column name",
                                 "pass weight=False only (no weight, on purpose)" if role == "weight" and col
                                 else f"pass one column name, or leave {role}= out")
            if isinstance(col, (list, tuple, set, dict)):
                raise InputError(f"The {role} of {where}", f"{role}= is a {type(col).__name__}, not one column name",
                                 f"pass one column name, e.g. {role}={next(iter(col), 'name')!r}" if col else
                                 f"pass one column name, or leave {role}= out")
            if col is not None and col not in self.data.columns:
                raise ColumnError(
                    f"The {role} column {col!r} of {where}", "is not in the data",
                    f"{suggest(col, self.data.columns)} (pass {role}=<column name>)",
                )
        if self.weight is not None:
            self._check_weight(where)
        for role in ("strata", "psu"):  # R svydesign refuses missing strata/ids too
            col = getattr(self, role)
            missing = self.data[col].isna().to_numpy() if col is not None else None
            if missing is not None and missing.any():
                raise InputError(
                    f"The {role} column {col!r} of {where}",
                    f"has {int(missing.sum())} missing value(s) out of {len(self.data)} records "
                    f"(first rows: {list(self.data.index[missing][:5])}); every record needs a "
                    f"{'stratum' if role == 'strata' else 'PSU'}",
                    f"fix those records in the file or the mapping, or leave {role}= out",
                )

    @property
    def evident_weight(self) -> bool:
        """True when the weight was not named but taken from the ILO harmonised ``ilo_wgt`` column."""
        return self.meta.get("weight_rule") == "evident"

    @property
    def provenance(self) -> dict:
        """Where the survey comes from, as every estimate cites it (``kind="survey"``, ``origin="microdata"``,
        ``dataset``, ``file`` (name only), ``format``, ``mapping``, ``concepts``, ``design``, ``synthetic``,
        ``publisher``, ``licence``, ``retrieved_at``, ``notes``, ``checks``, ``citation``): see
        :func:`evidencekit.microdata.provenance.survey_provenance`.

        >>> s = Survey(pd.DataFrame({"w": [1.0, 2.0]}), weight="w", source="lfs.csv", meta={"file": "lfs.csv"})
        >>> s.provenance["kind"], s.provenance["file"], s.provenance["synthetic"]
        ('survey', 'lfs.csv', False)
        """
        return survey_provenance(self)

    def _check_weight(self, where: str) -> None:
        """Every weight is a finite positive number; otherwise an error counting each kind of bad value."""
        raw = self.data[self.weight]
        if pd.api.types.is_bool_dtype(raw):
            raise InputError(f"The weight column {self.weight!r} of {where}", "holds yes/no (True/False) values, not weights",
                             "give the survey's weight column (pass weight=<column name>)")
        w = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        missing = raw.isna().to_numpy()
        text = np.isnan(w) & ~missing
        infinite = np.isinf(w)
        kinds = (("missing", missing), ("non-numeric", text), ("infinite", infinite),
                 ("zero", w == 0), ("negative", (w < 0) & ~infinite))
        bad = np.logical_or.reduce([m for _, m in kinds])
        if not bad.any():
            return
        parts = [f"{int(m.sum())} {kind}" for kind, m in kinds if m.any()]
        examples = ", ".join(repr(v) for v in pd.unique(raw[text])[:3])
        fix = decimal_comma_hint(pd.unique(raw[text])) or (
            "fix those records in the file, or give the right weight column "
            "(a survey's final person weight is usually positive everywhere)")
        taken = " (taken because no weight was named)" if self.evident_weight else ""
        raise InputError(
            f"The weight column {self.weight!r}{taken} of {where}",
            f"has {', '.join(parts)} value(s) out of {len(self.data)} records "
            f"(first rows: {list(self.data.index[bad][:5])}{'; text such as ' + examples if examples else ''}); "
            "every record needs a positive weight",
            fix,
        )

    def __repr__(self) -> str:
        d = self.design_summary()
        design = ", ".join(f"{k}={d[k]!r}" for k in ("weight", "strata", "psu") if d[k] is not None) or "no design"
        src = f" from {self.source!r}" if self.source else ""
        return f"<Survey{src}: {d['records']} records, {self.data.shape[1]} columns; {design}>"

    def labels(self, column: str) -> pd.Series:
        """The column with its codes replaced by their value labels (codes without a label are kept).

        >>> s = Survey(pd.DataFrame({"sex": [1, 2, 2]}), value_labels={"sex": {1: "Male", 2: "Female"}})
        >>> s.labels("sex").tolist()
        ['Male', 'Female', 'Female']
        """
        if column not in self.data.columns:
            raise ColumnError(f"Labelling column {column!r}", "it is not in the data", suggest(column, self.data.columns))
        col = self.data[column]
        labels = self.value_labels.get(column, {})
        return col.map(lambda v: labels.get(v, v) if pd.notna(v) else v).rename(column)

    @property
    def has_design(self) -> bool:
        """True when strata or PSUs are given (otherwise estimates rest on weights only)."""
        return self.strata is not None or self.psu is not None

    def design_summary(self) -> dict:
        """Records, the design columns, and the number of strata and PSUs."""
        d = self.data
        n_strata = int(d[self.strata].nunique()) if self.strata else 1
        if self.psu:
            keys = [self.strata, self.psu] if (self.strata and self.nest) else [self.psu]
            n_psu = int(d[keys].drop_duplicates().shape[0])
        else:
            n_psu = len(d)
        return {
            "records": len(d), "weight": self.weight, "strata": self.strata, "psu": self.psu,
            "nest": self.nest, "n_strata": n_strata, "n_psu": n_psu,
        }
