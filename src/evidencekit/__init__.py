"""evidencekit — the evidence workbench for the ILO course *Evidence-based policy making for decent work*.

>>> import evidencekit as ek
>>> ek.ilostat.search("youth unemployment")            # doctest: +SKIP
>>> s = ek.microdata.read("lfs.csv", weight="ilo_wgt")  # doctest: +SKIP
>>> ek.indicators.estimate(s, "unemployment_rate", by="ilo_sex")  # doctest: +SKIP
"""
from __future__ import annotations

from evidencekit import ilostat, indicators, microdata
from evidencekit.errors import DataSourceError, EvidenceKitError, InputError

__version__ = "0.1.0"
__all__ = ["ilostat", "microdata", "indicators", "EvidenceKitError", "InputError", "DataSourceError"]
