"""The words people type for ILOSTAT indicators, as data (``docs/ilostat.md``, "Search").

``SYNONYMS`` maps what a participant types (an acronym, an everyday word, a one- or two-word phrase; matched
after case, accents and simple word endings are set aside) to what ILOSTAT's labels and ids say instead.
An entry may be a phrase found in indicator labels (``"trade union density"``) or the start of an indicator
code (``"SDG_0861"``, written in capitals with an underscore). The typed words themselves are always
searched too. SDG indicator numbers (``8.5.2``) need no entry: they are in the labels ("SDG indicator
8.5.2 - …") and in the ids (``SDG_0852``, ``SDG_A821`` for 8.2.1; see
:func:`evidencekit.ilostat.catalogue.sdg_code_pattern`).

Add a line here, not code, when participants look for something under a word ILOSTAT does not use.
"""
from __future__ import annotations

SYNONYMS: dict[str, tuple[str, ...]] = {
    # youth not in employment, education or training (SDG 8.6.1)
    "neet": ("not in education, employment or training", "not in employment, education or training",
             "EIP_NEET", "EIP_2EET", "SDG_0861"),
    # informality (SDG 8.3.1)
    "informality": ("informal",),
    "informal economy": ("informal",),
    "informal sector": ("informal",),
    # productivity (SDG 8.2.1)
    "productivity": ("output per worker", "output per employed person", "GDP per employed person",
                     "GDP per hour worked", "SDG_0821", "SDG_A821", "GDP_211P", "GDP_205U"),
    "labour productivity": ("output per worker", "output per employed person", "GDP per employed person"),
    # wages and earnings (SDG 8.5.1)
    "wage": ("earnings", "minimum wage"),
    "pay": ("earnings",),
    "salary": ("earnings",),
    "income": ("earnings", "labour income"),
    "gender pay gap": ("gender wage gap", "gender pay gap", "EAR_GGAP"),
    # social dialogue (SDG 8.8.2)
    "union": ("trade union density", "trade union", "ILR_TUMT"),
    "unionisation": ("trade union density",),
    "unionization": ("trade union density",),
    "bargaining": ("collective bargaining coverage", "collective bargaining", "ILR_CBCT"),
    "collective agreement": ("collective bargaining coverage",),
    # working poverty (SDG 1.1.1)
    "working poverty": ("working poverty", "SDG_0111"),
    "working poor": ("working poverty", "SDG_0111"),
    # labour force words
    "jobless": ("unemployment",),
    "joblessness": ("unemployment",),
    "lfpr": ("labour force participation rate", "EAP_DWAP", "EAP_2WAP"),
    "participation": ("labour force participation",),
    "epr": ("employment-to-population ratio", "EMP_DWAP", "EMP_2WAP"),
    "underemployment": ("time-related underemployment", "labour underutilization", "TRU_DEMP", "LUU_"),
    "underutilisation": ("labour underutilization",),
    "labor": ("labour",),
    "child labour": ("children engaged in economic activity", "child labour", "SDG_A871", "SDG_B871"),
    "child labor": ("children engaged in economic activity", "child labour", "SDG_A871", "SDG_B871"),
    "injuries": ("occupational injuries",),
    "accidents": ("occupational injuries",),
    "social protection": ("social protection", "SDG_0131"),
    "inflation": ("consumer price index", "CPI_"),
    "prices": ("consumer price index", "CPI_"),
}
