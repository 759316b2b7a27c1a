"""evidencekit.provenance: source lines, derived records, references."""
from __future__ import annotations

import pandas as pd
import pytest

import evidencekit as ek
from evidencekit import provenance
from evidencekit.errors import InputError


def test_source_line_of_a_real_snapshot_frame_names_dataset_release_and_origin():
    df = ek.ilostat.get("SDG_0852_SEX_AGE_RT_A", ref_area="PHL", offline=True)
    line = provenance.source_line(df)
    rel = df.attrs["provenance"]["vintage"]
    assert line == f"Source: ILOSTAT, ILO (CC BY 4.0), SDG_0852_SEX_AGE_RT_A, release {rel} (offline snapshot)."
    assert provenance.of(df)["kind"] == "ilostat"  # inferred for records written before 'kind'


def test_stale_cache_and_unknown_release_are_said():
    rec = {"origin": "cache", "dataset": "X_A", "retrieved_at": "2026-01-02T03:04:05+00:00", "stale": True,
           "publisher": "ILOSTAT, International Labour Organization", "citation": "C."}
    line = provenance.source_line(rec)
    assert "release unknown" in line and "local cache, retrieved 2026-01-02" in line and "STALE" in line


def test_survey_lines_say_synthetic_and_design():
    est = ek.indicators.estimate(ek.microdata.synthetic.load_sample(), "unemployment_rate")
    rec = provenance.of(est)
    assert rec["kind"] == "survey" and rec["design"]["n_psu"] > 0
    synth = {"kind": "survey", "dataset": "SYNTHETIC-LFS-1.0", "synthetic": True, "citation": "S.",
             "design": {"n_strata": 12, "n_psu": 288}, "level": 0.9}
    assert provenance.source_line(synth).startswith("Source: SYNTHETIC training survey (fictional country): "
                                                    "SYNTHETIC-LFS-1.0")
    assert "90% CI (12 strata, 288 PSUs)" in provenance.source_line(synth)
    assert provenance.is_synthetic(provenance.derived([synth], "ranked"))


def test_derived_flattens_and_deduplicates_sources_and_groups_ilostat_in_the_line():
    a = ek.ilostat.get("SDG_0852_SEX_AGE_RT_A", ref_area="PHL", offline=True)
    b = ek.ilostat.get("SDG_0861_SEX_RT_A", ref_area="PHL", offline=True)
    u = provenance.user("PSA", title="LFS annual estimates", published="2021-03-09")
    inner = provenance.derived([a, u], "side by side")
    outer = provenance.derived([inner, b, a], "ranked")
    assert [s["citation"] for s in outer["sources"]] == [a.attrs["provenance"]["citation"], u["citation"],
                                                          b.attrs["provenance"]["citation"]]
    line = provenance.source_line(outer)
    assert line.startswith("Sources: ILOSTAT, ILO (CC BY 4.0), SDG_0852_SEX_AGE_RT_A")
    assert "SDG_0861_SEX_RT_A" in line and line.count("ILOSTAT, ILO") == 1 and "PSA" in line
    assert provenance.references([outer, a]) == [s["citation"] for s in outer["sources"]]


def test_missing_provenance_and_citation_are_refused():
    with pytest.raises(InputError, match="no provenance"):
        provenance.of(pd.DataFrame({"a": [1]}))
    with pytest.raises(InputError, match="no citation"):
        provenance.of({"kind": "user"})
    with pytest.raises(InputError, match="no source"):
        provenance.user("")
