"""A survey: the microdata, its sampling design (weight, strata, PSU) and its labels.

The design follows R ``survey``'s ``svydesign(ids=~psu, strata=~strata, weights=~w, nest=TRUE)``:
PSU codes are taken within their stratum when ``nest=True``; without strata the whole file is one
stratum; without PSU each record is its own PSU; without weight every record weighs 1 (and the
estimates say so in their flags).

>>> import pandas as pd
>>> s = Survey(pd.DataFrame({"w": [1.5, 2.0], "st": [1, 1], "ea": [1, 2]}), weight="w", strata="st", psu="ea")
>>> s.design_summary()
{'records': 2, 'weight': 'w', 'strata': 'st', 'psu': 'ea', 'nest': True, 'n_strata': 1, 'n_psu': 2}
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from evidencekit.errors import InputError


@dataclass
class Survey:
    """Microdata plus design. ``value_labels`` maps column -> {code: label}; ``source`` names the file."""

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

    def __post_init__(self) -> None:
        where = f"the survey {self.source!r}" if self.source else "the survey"
        for role in ("weight", "strata", "psu", "fpc"):
            col = getattr(self, role)
            if col is not None and col not in self.data.columns:
                close = [c for c in self.data.columns if str(c).lower() == str(col).lower()]
                hint = f"did you mean {close[0]!r}?" if close else f"choose one of: {', '.join(map(str, list(self.data.columns)[:30]))}"
                raise InputError(f"The {role} column {col!r} of {where}", "is not in the data", hint)
        if self.weight is not None:
            w = pd.to_numeric(self.data[self.weight], errors="coerce")
            bad = w.isna() | (w <= 0)
            if bad.any():
                rows = list(self.data.index[bad.to_numpy()][:5])
                raise InputError(
                    f"The weight column {self.weight!r} of {where}",
                    f"has {int(bad.sum())} missing, non-numeric, zero or negative values (first rows: {rows})",
                    "fix or remove those records in the file, or give the right weight column",
                )

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
