"""CSPro: .dcf dictionaries and fixed-width data (generated in tmp_path), and their bad input."""
from __future__ import annotations

import copy
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidencekit.errors import InputError
from evidencekit.microdata import (
    DataTypeError,
    DictionaryMismatchError,
    FileFormatError,
    MissingFileError,
    read,
    read_cspro,
    read_dictionary,
    read_records,
)

PERSON_DCF = """\ufeff[Dictionary]
Version=CSPro 7.7
Label=Test LFS
Name=TEST_LFS
RecordTypeStart=1
RecordTypeLen=1
Positions=Relative
ZeroFill=Yes
DecimalChar=No

[Level]
Label=Questionnaire
Name=QUEST

[IdItems]

[Item]
Label=Region
Name=REG
Start=2
Len=2
DataType=Numeric

[ValueSet]
Label=Region
Name=REG_VS1
Value=1;North
Note=provinces\\r\\n
Value=2;South

[Record]
Label=Persons
Name=PERSON
RecordTypeValue='2'
RecordLen=20

[Item]
Label=Sex
Name=SEX
Start=4
Len=1
DataType=Numeric

[ValueSet]
Label=Sex
Name=SEX_VS1
Value=1;Male
Value=2;Female

[Item]
Label=Age
Name=AGE
Start=5
Len=2
DataType=Numeric

[ValueSet]
Label=Age group
Name=AGE_VS1
Value=0:14;Children
Value=15:99;Adults

[Item]
Label=Weight
Name=WGT
Start=7
Len=8
DataType=Numeric
Decimal=4

[Item]
Label=Occupation code
Name=OCC
Start=15
Len=3
DataType=Alpha

[ValueSet]
Label=Occupation
Name=OCC_VS1
Value='A1';Farmer
Value=' ';Not applicable
Name=NOTAPPL,Special

[Item]
Label=Hours per day
Name=HRS
Start=18
Len=1
DataType=Numeric
Occurrences=3
"""



def line(reg="01", sex="1", age="35", wgt="00012345", occ="A1 ", hrs="897", kind="2") -> str:
    """type(1) REG(2-3) SEX(4) AGE(5-6) WGT(7-14, 4 implied decimals) OCC(15-17) HRS(18-20, 3 occurrences)."""
    return kind + reg + sex + age + wgt + occ + hrs


PERSON_LINES = [
    line(),                                           # full line
    line(sex="2", age="42", wgt="05000000", occ="", hrs=""),  # right-trimmed: OCC and HRS missing
    line(reg="02", sex=" ", age="08", wgt="", occ="", hrs=""),  # blank SEX; WGT.. missing
    line(reg="02", age="45", wgt="00000100", occ="B2 ", hrs="8"),  # HRS_2, HRS_3 missing
]


def write(tmp_path, dcf=PERSON_DCF, lines=PERSON_LINES, *, name="lfs", ext=".dat", bom=True, newline="\n"):
    (tmp_path / f"{name}.dcf").write_text(dcf, encoding="utf-8")
    data = tmp_path / f"{name}{ext}"
    body = newline.join(lines) + newline
    data.write_bytes((b"\xef\xbb\xbf" if bom else b"") + body.encode("utf-8"))
    return tmp_path / f"{name}.dcf", data


def test_dictionary_parsed(tmp_path):
    dcf, _ = write(tmp_path)
    d = read_dictionary(dcf)
    assert (d.name, d.label, d.version, d.record_type_start, d.record_type_len) == ("TEST_LFS", "Test LFS", "CSPro 7.7", 1, 1)
    assert [i.name for i in d.id_items] == ["REG"]
    rec = d.records[0]
    assert (rec.name, rec.label, rec.type_value, rec.length) == ("PERSON", "Persons", "2", 20)
    wgt = next(i for i in rec.items if i.name == "WGT")
    assert (wgt.start, wgt.length, wgt.decimals, wgt.numeric) == (7, 8, 4, True)
    hrs = next(i for i in rec.items if i.name == "HRS")
    assert hrs.columns() == [("HRS_1", 17), ("HRS_2", 18), ("HRS_3", 19)]
    age = next(i for i in rec.items if i.name == "AGE")
    assert age.value_sets[0].values[0] == ([(0, 14)], "Children", None)
    occ = next(i for i in rec.items if i.name == "OCC")
    assert occ.value_sets[0].values[1] == ([""], "Not applicable", "NOTAPPL")


def test_fixed_width_rules(tmp_path):
    dcf, data = write(tmp_path)
    s = read(dcf)
    d = s.data
    assert len(d) == 4
    assert list(d.columns) == ["REG", "SEX", "AGE", "WGT", "OCC", "HRS_1", "HRS_2", "HRS_3"]
    assert d["REG"].tolist() == [1, 1, 2, 2]
    assert d["SEX"].tolist()[:2] == [1, 2] and pd.isna(d["SEX"][2]) and d["SEX"][3] == 1
    assert str(d["SEX"].dtype) == "Int64" and str(d["AGE"].dtype) == "Int64"
    assert d["AGE"].tolist() == [35, 42, 8, 45]
    assert d["WGT"].dtype == np.float64
    np.testing.assert_allclose(d["WGT"].to_numpy()[[0, 1, 3]], [1.2345, 500.0, 0.01])
    assert np.isnan(d["WGT"][2])
    assert d["OCC"].tolist()[0] == "A1" and pd.isna(d["OCC"][1]) and d["OCC"][3] == "B2"
    assert d["HRS_1"].tolist()[0] == 8 and d["HRS_3"].tolist()[0] == 7 and d["HRS_1"][3] == 8
    assert pd.isna(d["HRS_2"][3]) and pd.isna(d["HRS_1"][1])
    assert s.value_labels == {"REG": {1: "North", 2: "South"}, "SEX": {1: "Male", 2: "Female"}, "OCC": {"A1": "Farmer"}}
    assert s.variable_labels["WGT"] == "Weight"
    assert any("BOM" in n for n in s.notes) and any("PERSON" in n for n in s.notes)


@pytest.mark.parametrize("ext", [".dat", ".F2", ".txt"])
def test_data_file_found_next_to_dictionary_and_crlf(tmp_path, ext):
    dcf, _ = write(tmp_path, ext=ext, bom=False, newline="\r\n")
    d = read(dcf).data
    assert d["AGE"].tolist() == [35, 42, 8, 45]
    assert d["OCC"][0] == "A1"


def test_data_given_explicitly_and_missing(tmp_path):
    dcf, data = write(tmp_path, ext=".survey")
    with pytest.raises(MissingFileError, match=r"lfs\.dat.*lfs\.F2.*data=.*lfs\.survey"):
        read(dcf)
    assert len(read(dcf, data=data).data) == 4
    with pytest.raises(MissingFileError, match="nothere.dat"):
        read(dcf, data=tmp_path / "nothere.dat")


def test_text_in_numeric_item_names_file_item_lines_and_value(tmp_path):
    lines = PERSON_LINES + [line(age="X5"), line(sex=" ", age="?0")]
    dcf, data = write(tmp_path, lines=lines)
    with pytest.raises(DataTypeError) as err:
        read(dcf)
    msg = str(err.value)
    assert "lfs.dat" in msg and "lfs.dcf" in msg
    assert "item 'AGE': 2 line(s) (5, 6)" in msg and "'X5'" in msg
    assert isinstance(err.value, InputError)


def test_signs_and_explicit_decimal_points(tmp_path):
    dcf = PERSON_DCF.replace("Decimal=4\n", "Decimal=4\nDecimalChar=Yes\n")
    dcf, _ = write(tmp_path, dcf=dcf, lines=[line(wgt="12.50000"), line(age="-1", wgt="   -3.25", occ="", hrs="")])
    d = read(dcf).data
    assert d["WGT"].tolist() == [12.5, -3.25]
    assert d["AGE"].tolist() == [35, -1]


def test_line_longer_than_record_is_an_error_naming_both_files(tmp_path):
    dcf, _ = write(tmp_path, lines=PERSON_LINES + [line() + "1234"])
    with pytest.raises(DictionaryMismatchError, match=r"lfs\.dat.*lfs\.dcf.*1 line\(s\) of record 'PERSON' are longer than its 20.*lines \[5\]"):
        read(dcf)


def test_unknown_record_type(tmp_path):
    dcf, _ = write(tmp_path, lines=PERSON_LINES + [line(kind="9")])
    with pytest.raises(DictionaryMismatchError, match=r"lfs\.dat.*lfs\.dcf.*record type.*\['9'\].*lines \[5\].*\['2'\]"):
        read(dcf)


def test_items_beyond_every_line(tmp_path):
    dcf, _ = write(tmp_path, lines=["2011", "2021"])
    with pytest.raises(DictionaryMismatchError, match=r"lfs\.dat.*lfs\.dcf.*\['AGE', 'WGT', 'OCC', 'HRS'\].*beyond the end of every line"):
        read(dcf)


def test_empty_data_and_blank_lines(tmp_path):
    dcf, _ = write(tmp_path, lines=[])
    with pytest.raises(FileFormatError, match="empty"):
        read(dcf)
    dcf, _ = write(tmp_path, lines=[PERSON_LINES[0], "", PERSON_LINES[1]])
    s = read(dcf)
    assert len(s.data) == 2 and any("1 blank line(s) skipped (lines [2])" in n for n in s.notes)


def test_not_a_dictionary(tmp_path):
    p = tmp_path / "x.dcf"
    p.write_text("<xml>old CSPro 6 format</xml>")
    with pytest.raises(FileFormatError, match=r"x\.dcf.*\[Dictionary\]"):
        read_dictionary(p)
    p.write_text("[Dictionary]\nName=X\n[Record]\nName=R\n[Item]\nName=A\nStart=two\nLen=1\n")
    with pytest.raises(FileFormatError, match="item 'A'"):
        read_dictionary(p)


HOUSEHOLD_DCF = PERSON_DCF.replace("[Record]\nLabel=Persons", """[Record]
Label=Households
Name=HOUSEHOLD
RecordTypeValue='1'
RecordLen=8

[Item]
Label=Rooms
Name=ROOMS
Start=4
Len=2
DataType=Numeric

[Record]
Label=Persons""")


def test_several_record_types(tmp_path):
    lines = ["10103", PERSON_LINES[0], PERSON_LINES[1], "10204", PERSON_LINES[3]]
    dcf, _ = write(tmp_path, dcf=HOUSEHOLD_DCF, lines=lines)
    with pytest.raises(FileFormatError, match=r"several record types: HOUSEHOLD \(Households, type '1'\): 2 lines; PERSON \(Persons, type '2'\): 3 lines.*record="):
        read(dcf)
    persons = read(dcf, record="PERSON")
    assert len(persons.data) == 3 and persons.data["AGE"].tolist() == [35, 42, 45]
    households = read(dcf, record="1")
    assert households.data.to_dict("list") == {"REG": [1, 2], "ROOMS": [3, 4]}
    frames = read_records(dcf)
    assert {k: len(v) for k, v in frames.items()} == {"HOUSEHOLD": 2, "PERSON": 3}
    with pytest.raises(FileFormatError, match="use 'PERSON' instead"):
        read(dcf, record="PERSONS")


def test_utf8_text_positions_in_characters(tmp_path):
    dcf = PERSON_DCF.replace("Len=3\nDataType=Alpha", "Len=3\nDataType=Alpha")
    lines = [line(occ="Ñé "), line(reg="02", age="45", wgt="00000100", occ="B2 ", hrs="8")]
    dcf, _ = write(tmp_path, dcf=dcf, lines=lines)
    d = read(dcf).data
    assert d["OCC"].tolist() == ["Ñé", "B2"]
    assert d["HRS_1"].tolist() == [8, 8] and d["HRS_3"].tolist()[0] == 7


def test_mapping_and_design_on_cspro(tmp_path):
    dcf, _ = write(tmp_path, lines=[PERSON_LINES[0], PERSON_LINES[1], PERSON_LINES[3]])
    s = read(dcf, weight="WGT", strata="REG", mapping={"name": "t", "variables": {"ilo_sex": {"from": "SEX", "recode": {1: 1, 2: 2}}}})
    assert s.data["ilo_sex"].tolist()[:2] == [1, 2] and s.weight == "WGT" and s.strata == "REG"


ITEM_SPECS = st.lists(st.tuples(st.integers(1, 9), st.booleans(), st.integers(0, 3), st.integers(1, 3)), min_size=1, max_size=6)


def _json_item(name, *, kind="numeric", length, start=None, decimals=0, decimal_mark=False, occurrences=1, label=None, value_sets=None):
    """An item as CSPro 8 writes it (start only when given, decimalMark only with decimals)."""
    out = {"name": name, "labels": [{"text": label or name}]}
    if occurrences > 1:
        out["occurrences"] = {"maximum": occurrences}
    out["contentType"] = kind
    if start is not None:
        out["start"] = start
    out["length"] = length
    if kind == "numeric":
        if decimals:
            out["decimals"], out["decimalMark"] = decimals, decimal_mark
        out["zeroFill"] = True
    if value_sets:
        out["valueSets"] = value_sets
    return out


def _json_dictionary(records, *, ids=(), relative=True, rt=(1, 1), name="R"):
    return {"software": "CSPro", "version": 8.0, "fileType": "dictionary", "name": name, "labels": [{"text": name}],
            "readOptimization": True, "recordType": {"start": rt[0], "length": rt[1]},
            "defaults": {"decimalMark": False, "zeroFill": True}, "relativePositions": relative,
            "levels": [{"name": name + "_QUEST", "labels": [{"text": "Questionnaire"}], "ids": {"items": list(ids)},
                        "records": records}]}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=ITEM_SPECS, relative=st.booleans(), data=st.data())
def test_round_trip_random_layouts(tmp_path, specs, relative, data):
    """Random numeric/alpha items (decimals, occurrences, value sets) written fixed-width with right-trimmed lines;
    the layout as a 7.x text dictionary and as a CSPro 8 JSON one (relative or absolute positions) reads back the
    written values, and both formats give identical frames, value labels and variable labels."""
    text_items, json_items, pos, cols = [], [], 2, {}
    n = data.draw(st.integers(1, 30))
    for k, (width, numeric, decimals, occurrences) in enumerate(specs):
        decimals = min(decimals, width - 1) if numeric else 0
        name, label = f"V{k}", f"Item {k}"
        value_sets, vs_text = None, ""
        if numeric:
            code = data.draw(st.integers(0, 10 ** (width - decimals) - 1))
            vs_text = f"[ValueSet]\nLabel={label}\nName={name}_VS1\nValue={code};Code {code}\nValue=0:{code};Up to {code}\nValue=' ';Blank\nName=NOTAPPL,Special\n"
            value_sets = [{"name": f"{name}_VS1", "labels": [{"text": label}], "values": [
                {"labels": [{"text": f"Code {code}"}], "pairs": [{"value": str(code)}]},
                {"labels": [{"text": f"Up to {code}"}], "pairs": [{"range": ["0", str(code)]}]},
                {"labels": [{"text": "Blank"}], "special": "NOTAPPL", "pairs": [{"value": ""}]}]}]
        elif width >= 2:
            vs_text = f"[ValueSet]\nLabel={label}\nName={name}_VS1\nValue='AB';Letters\n"
            value_sets = [{"name": f"{name}_VS1", "labels": [{"text": label}],
                           "values": [{"labels": [{"text": "Letters"}], "pairs": [{"value": "AB"}]}]}]
        text_items.append(f"[Item]\nLabel={label}\nName={name}\nStart={pos}\nLen={width}\nDataType={'Numeric' if numeric else 'Alpha'}\n"
                          f"Decimal={decimals}\nOccurrences={occurrences}\n" + vs_text)
        json_items.append(_json_item(name, kind="numeric" if numeric else "alpha", length=width, label=label, decimals=decimals,
                                     occurrences=occurrences, start=None if relative else pos, value_sets=value_sets))
        for occ in range(occurrences):
            col = name if occurrences == 1 else f"{name}_{occ + 1}"
            if numeric:
                vals = data.draw(st.lists(st.one_of(st.none(), st.integers(0, 10 ** width - 1)), min_size=n, max_size=n))
                text = ["".rjust(width) if v is None else str(v).zfill(width) for v in vals]
                expect = [None if v is None else (v / 10 ** decimals if decimals else v) for v in vals]
            else:
                vals = data.draw(st.lists(st.one_of(st.none(), st.text("ABCxyz09-", min_size=1, max_size=width)), min_size=n, max_size=n))
                text = ["".ljust(width) if v is None else v.ljust(width) for v in vals]
                expect = vals
            cols[col] = (text, expect)
        pos += width * occurrences
    dcf = "[Dictionary]\nName=R\nRecordTypeStart=1\nRecordTypeLen=1\n[Record]\nName=P\nRecordTypeValue='1'\n" + "".join(text_items)
    records = [{"name": "P", "labels": [{"text": "P"}], "recordType": "1", "occurrences": {"required": True, "maximum": 1},
                "items": json_items}]
    lines = [("1" + "".join(cols[c][0][i] for c in cols)).rstrip() for i in range(n)]
    lines[0] = lines[0].ljust(pos - 1)  # one full-length line, so no item lies beyond every line
    (tmp_path / "r.dcf").write_text(dcf)
    (tmp_path / "r8.dcf").write_text(json.dumps(_json_dictionary(records, relative=relative), indent=2))
    (tmp_path / "r.dat").write_text("\n".join(lines) + "\n")
    text_survey = read_cspro(tmp_path / "r.dcf")
    json_survey = read_cspro(tmp_path / "r8.dcf", data=tmp_path / "r.dat")
    got = text_survey.data
    assert len(got) == n
    for c, (_, expect) in cols.items():
        actual = [None if pd.isna(v) else v for v in got[c].tolist()]
        if any(isinstance(e, float) for e in expect):
            assert all((a is None and e is None) or abs(a - e) < 1e-9 for a, e in zip(actual, expect)), c
        else:
            assert actual == expect, c
    pd.testing.assert_frame_equal(json_survey.data, got)
    assert json_survey.value_labels == text_survey.value_labels
    assert json_survey.variable_labels == text_survey.variable_labels
    assert read_dictionary(tmp_path / "r8.dcf").records[0].length == pos - 1


def test_record_type_values_with_padding(tmp_path):
    dcf = HOUSEHOLD_DCF.replace("RecordTypeLen=1", "RecordTypeLen=2").replace("RecordTypeValue='1'", "RecordTypeValue='H '")
    dcf = dcf.replace("RecordTypeValue='2'", "RecordTypeValue='P '")
    dcf = dcf.replace("Start=2\nLen=2", "Start=3\nLen=2").replace("Name=ROOMS\nStart=4", "Name=ROOMS\nStart=5")
    dcf = dcf.replace("RecordLen=8", "RecordLen=9").replace("RecordLen=20", "RecordLen=21")
    dcf = dcf.replace("Start=4\nLen=1", "Start=5\nLen=1").replace("Start=5\nLen=2", "Start=6\nLen=2")
    dcf = dcf.replace("Start=7\nLen=8", "Start=8\nLen=8").replace("Start=15\nLen=3", "Start=16\nLen=3").replace("Start=18\nLen=1", "Start=19\nLen=1")
    lines = ["H 0103", "P " + line()[1:], "H 0204"]
    dcf, _ = write(tmp_path, dcf=dcf, lines=lines)
    frames = read_records(dcf)
    assert frames["HOUSEHOLD"].to_dict("list") == {"REG": [1, 2], "ROOMS": [3, 4]}
    assert frames["PERSON"]["AGE"].tolist() == [35] and frames["PERSON"]["OCC"].tolist() == ["A1"]


def test_cp1252_data_file(tmp_path):
    dcf, data = write(tmp_path, lines=[line(occ="Ñé "), line(age="45")], bom=False)
    data.write_bytes(("\n".join([line(occ="Ñé "), line(age="45")]) + "\n").encode("cp1252"))
    s = read(dcf)
    assert s.data["OCC"].tolist() == ["Ñé", "A1"] and s.data["HRS_3"].tolist() == [7, 7]
    assert any("not UTF-8; read as cp1252" in n for n in s.notes)


# --- CSPro 8 JSON dictionaries -------------------------------------------------------------------

# Modelled on the dictionaries CSPro 8 itself saves (csprousers/cspro: cspro/tests/TestData/inputs/ValueProcessor.dcf,
# cspro/tests/TestSync/Test Files/TestDict.dcf): security block, relative positions (record items carry no "start"),
# value sets with discrete values, ranges and special values, an image item, plus two languages, a linked value set,
# subitems and an item with occurrences, as CSPro 8 writes them.
LFS8_DCF = """\ufeff{
  "software": "CSPro",
  "version": 8.0,
  "fileType": "dictionary",
  "name": "LFS_2024_DICT",
  "languages": [ { "name": "EN", "label": "English" }, { "name": "FR", "label": "Français" } ],
  "labels": [ { "text": "Labour Force Survey 2024", "language": "EN" }, { "text": "Enquête emploi 2024", "language": "FR" } ],
  "security": {
    "allowDataViewerModifications": true,
    "allowExport": true,
    "cachedPasswordMinutes": 0,
    "settings": "7b2247776afb099fc0db1186690d3a64c3ea4e7bcf994dfe1918915cc7096693"
  },
  "readOptimization": true,
  "recordType": { "start": 1, "length": 1 },
  "defaults": { "decimalMark": true, "zeroFill": false },
  "relativePositions": true,
  "levels": [
    {
      "name": "LFS_2024_QUEST",
      "labels": [ { "text": "Questionnaire", "language": "EN" }, { "text": "Questionnaire", "language": "FR" } ],
      "ids": {
        "items": [
          {
            "name": "PROV",
            "labels": [ { "text": "Province", "language": "EN" } ],
            "contentType": "numeric", "start": 2, "length": 2, "zeroFill": true,
            "valueSets": [
              {
                "name": "PROV_VS1",
                "labels": [ { "text": "Province" } ],
                "link": "8c6d1a52-3c4e-4f7e-9d55-2f4c1e0b7a11",
                "values": [
                  { "labels": [ { "text": "Northern", "language": "EN" }, { "text": "Nord", "language": "FR" } ], "pairs": [ { "value": "1" } ] },
                  { "labels": [ { "text": "Southern", "language": "EN" }, { "text": "Sud", "language": "FR" } ], "pairs": [ { "value": "5" } ] }
                ]
              }
            ]
          },
          { "name": "HHNO", "labels": [ { "text": "Household number" } ], "contentType": "numeric", "start": 4, "length": 4, "zeroFill": true }
        ]
      },
      "records": [
        {
          "name": "HOUSEHOLD",
          "labels": [ { "text": "Household", "language": "EN" }, { "text": "Ménage", "language": "FR" } ],
          "recordType": "1",
          "occurrences": { "required": true, "maximum": 1 },
          "items": [
            { "name": "ROOMS", "labels": [ { "text": "Number of rooms" } ], "contentType": "numeric", "length": 2, "zeroFill": false },
            { "name": "HH_PHOTO", "labels": [ { "text": "Photo of the dwelling" } ], "contentType": "Image", "length": 1 },
            {
              "name": "PROV_BIRTH", "labels": [ { "text": "Province of birth of the head" } ],
              "contentType": "numeric", "length": 2, "zeroFill": false,
              "valueSets": [ { "name": "PROV_BIRTH_VS1", "labels": [ { "text": "Province" } ], "link": "8c6d1a52-3c4e-4f7e-9d55-2f4c1e0b7a11" } ]
            }
          ]
        },
        {
          "name": "PERSON",
          "labels": [ { "text": "Persons", "language": "EN" }, { "text": "Personnes", "language": "FR" } ],
          "recordType": "2",
          "occurrences": { "required": false, "maximum": 30 },
          "items": [
            { "name": "LINE", "labels": [ { "text": "Line number" } ], "contentType": "numeric", "length": 2, "zeroFill": true },
            {
              "name": "SEX", "labels": [ { "text": "Sex", "language": "EN" }, { "text": "Sexe", "language": "FR" } ],
              "contentType": "numeric", "length": 1, "zeroFill": false,
              "valueSets": [
                {
                  "name": "SEX_VS1",
                  "labels": [ { "text": "Sex" } ],
                  "values": [
                    { "labels": [ { "text": "Male", "language": "EN" }, { "text": "Homme", "language": "FR" } ], "pairs": [ { "value": "1" } ] },
                    { "labels": [ { "text": "Femme", "language": "FR" }, { "text": "Female", "language": "EN" } ], "pairs": [ { "value": "2" } ] }
                  ]
                }
              ]
            },
            {
              "name": "AGE", "labels": [ { "text": "Age in completed years" } ],
              "contentType": "numeric", "length": 2, "zeroFill": false,
              "valueSets": [
                {
                  "name": "AGE_VS1",
                  "labels": [ { "text": "Age" } ],
                  "values": [
                    { "labels": [ { "text": "Children" } ], "pairs": [ { "range": [ "0", "14" ] } ] },
                    { "labels": [ { "text": "Working age" } ], "pairs": [ { "range": [ "15", "98" ] } ] },
                    { "labels": [ { "text": "Don't know" } ], "special": "MISSING", "pairs": [ { "value": "99" } ] }
                  ]
                }
              ]
            },
            { "name": "DOB", "labels": [ { "text": "Date of birth (YYYYMM)" } ], "contentType": "numeric", "length": 6, "zeroFill": true },
            { "name": "DOB_YEAR", "labels": [ { "text": "Year of birth" } ], "contentType": "numeric", "subitem": true, "subitemOffset": 0, "length": 4, "zeroFill": true },
            {
              "name": "DOB_MONTH", "labels": [ { "text": "Month of birth" } ], "contentType": "numeric", "subitem": true, "subitemOffset": 4,
              "length": 2, "zeroFill": true,
              "valueSets": [
                {
                  "name": "DOB_MONTH_VS1",
                  "labels": [ { "text": "Month" } ],
                  "values": [
                    { "labels": [ { "text": "January" } ], "pairs": [ { "value": "1" } ] },
                    { "labels": [ { "text": "February to December" } ], "pairs": [ { "range": [ "2", "12" ] } ] },
                    { "labels": [ { "text": "Not applicable" } ], "special": "NOTAPPL", "pairs": [ { "value": "" } ] }
                  ]
                }
              ]
            },
            {
              "name": "OCCUP", "labels": [ { "text": "Occupation (ISCO-08)" } ], "contentType": "alpha", "length": 4,
              "valueSets": [
                {
                  "name": "OCCUP_VS1",
                  "labels": [ { "text": "ISCO-08" } ],
                  "values": [
                    { "labels": [ { "text": "Generalist medical practitioners" } ], "pairs": [ { "value": "2211" } ] },
                    { "labels": [ { "text": "Médecins spécialistes", "language": "FR" } ], "pairs": [ { "value": "2212" } ] }
                  ]
                }
              ]
            },
            {
              "name": "HOURS", "labels": [ { "text": "Hours worked on each day" } ],
              "occurrences": { "maximum": 7, "labels": [ { "occurrence": 1, "labels": [ { "text": "Monday" } ] } ] },
              "contentType": "numeric", "length": 2, "zeroFill": true
            },
            { "name": "WAGE", "labels": [ { "text": "Monthly wage" } ], "contentType": "numeric", "length": 9, "decimals": 2, "decimalMark": true, "zeroFill": false },
            { "name": "WEIGHT", "labels": [ { "text": "Final weight" } ], "contentType": "numeric", "length": 10, "decimals": 4, "decimalMark": false, "zeroFill": true }
          ]
        }
      ]
    }
  ]
}
"""

LFS8_LINES = [
    # type PROV HHNO ROOMS PHOTO PROV_BIRTH
    "1" + "05" + "0012" + "03" + " " + "01",
    # type PROV HHNO LINE SEX AGE DOB OCCUP HOURS(7 x 2) WAGE(9, with a point) WEIGHT(10, 4 implied)
    "2" + "05" + "0012" + "01" + "2" + "35" + "198807" + "2211" + "08080808080000" + "  1234.50" + "0000123456",
    "2" + "05" + "0012" + "02" + "1" + "99" + "      " + "2212",  # right-trimmed after OCCUP; blank DOB
    "1" + "01" + "0013" + "05",
]


def _plain(frame: pd.DataFrame) -> dict:
    """Columns as lists, missing values as None."""
    return {c: [None if pd.isna(v) else v for v in frame[c].tolist()] for c in frame.columns}


def test_cspro8_json_dictionary_layout(tmp_path):
    dcf, _ = write(tmp_path, dcf=LFS8_DCF, lines=LFS8_LINES)
    d = read_dictionary(dcf)
    assert (d.name, d.label, d.version, d.record_type_start, d.record_type_len) == ("LFS_2024_DICT", "Labour Force Survey 2024", "CSPro 8.0", 1, 1)
    assert [(i.name, i.start, i.length) for i in d.id_items] == [("PROV", 2, 2), ("HHNO", 4, 4)]
    household, person = d.records
    # record items follow the record type and the ids; the image item takes its one position but is not read
    assert [(i.name, i.start) for i in household.items] == [("ROOMS", 8), ("PROV_BIRTH", 11)]
    assert (household.type_value, household.label, household.length) == ("1", "Household", 12)
    items = {i.name: i for i in person.items}
    assert [(n, items[n].start) for n in ("LINE", "SEX", "AGE", "DOB", "DOB_YEAR", "DOB_MONTH", "OCCUP", "HOURS", "WAGE", "WEIGHT")] == [
        ("LINE", 8), ("SEX", 10), ("AGE", 11), ("DOB", 13), ("DOB_YEAR", 13), ("DOB_MONTH", 17), ("OCCUP", 19), ("HOURS", 23),
        ("WAGE", 37), ("WEIGHT", 46)]
    assert person.length == 55 and items["DOB_MONTH"].subitem and not items["DOB"].subitem
    assert (items["WAGE"].decimals, items["WAGE"].decimal_char, items["WEIGHT"].decimals, items["WEIGHT"].decimal_char) == (2, True, 4, False)
    assert items["OCCUP"].numeric is False and items["HOURS"].occurrences == 7
    assert items["AGE"].value_sets[0].values == [([(0, 14)], "Children", None), ([(15, 98)], "Working age", None), ([99], "Don't know", "MISSING")]
    assert items["DOB_MONTH"].value_sets[0].values[2] == ([None], "Not applicable", "NOTAPPL")
    # the linked value set without values takes those of the set it is linked to
    assert household.items[1].value_labels() == {1: "Northern", 5: "Southern"}


def test_cspro8_json_data_read(tmp_path):
    dcf, _ = write(tmp_path, dcf=LFS8_DCF, lines=LFS8_LINES)
    with pytest.raises(FileFormatError, match=r"HOUSEHOLD \(Household, type '1'\): 2 lines; PERSON \(Persons, type '2'\): 2 lines"):
        read(dcf)
    s = read(dcf, record="PERSON")
    d = s.data
    assert list(d.columns) == ["PROV", "HHNO", "LINE", "SEX", "AGE", "DOB", "DOB_YEAR", "DOB_MONTH", "OCCUP",
                               *[f"HOURS_{k}" for k in range(1, 8)], "WAGE", "WEIGHT"]
    assert d["HHNO"].tolist() == [12, 12] and d["SEX"].tolist() == [2, 1]
    assert d["AGE"][0] == 35 and pd.isna(d["AGE"][1])  # 99 is the value set's MISSING ("Don't know") code
    assert any("AGE: 1 value(s) set to missing" in n and "MISSING (Don't know)" in n for n in s.notes)
    assert d["DOB"][0] == 198807 and d["DOB_YEAR"][0] == 1988 and d["DOB_MONTH"][0] == 7
    assert pd.isna(d["DOB"][1]) and pd.isna(d["DOB_MONTH"][1])
    assert d["OCCUP"].tolist() == ["2211", "2212"]
    assert [d[f"HOURS_{k}"][0] for k in range(1, 8)] == [8, 8, 8, 8, 8, 0, 0] and pd.isna(d["HOURS_1"][1])
    assert d["WAGE"][0] == 1234.5 and d["WEIGHT"][0] == pytest.approx(12.3456) and np.isnan(d["WEIGHT"][1])
    # primary-language labels (EN, the first language) whatever the order in the file; a value labelled only in FR keeps it
    assert s.value_labels == {"PROV": {1: "Northern", 5: "Southern"}, "SEX": {1: "Male", 2: "Female"},
                              "DOB_MONTH": {1: "January"}, "OCCUP": {"2211": "Generalist medical practitioners", "2212": "Médecins spécialistes"}}
    assert s.variable_labels["SEX"] == "Sex" and s.variable_labels["WEIGHT"] == "Final weight"
    assert any("Persons" in n for n in s.notes)
    households = read(dcf, record="HOUSEHOLD")
    assert _plain(households.data) == {"PROV": [5, 1], "HHNO": [12, 13], "ROOMS": [3, 5], "PROV_BIRTH": [1, None]}
    assert households.value_labels["PROV_BIRTH"] == {1: "Northern", 5: "Southern"}
    assert any("HH_PHOTO (image)" in n and "not read" in n for n in households.notes)


def test_cspro8_json_detected_by_content_not_extension(tmp_path):
    lines = [line(), line(sex="2", age="42")]
    (tmp_path / "layout.json").write_text("\n  " + json.dumps(PERSON_JSON), encoding="utf-8")
    (tmp_path / "layout.txt").write_text(PERSON_DCF, encoding="utf-8")
    assert read_dictionary(tmp_path / "layout.json").records[0].length == 20
    assert read_dictionary(tmp_path / "layout.txt").records[0].length == 20
    dcf, data = write(tmp_path, dcf="\ufeff \n" + json.dumps(PERSON_JSON, indent=2), lines=lines)
    assert read(dcf, data=data).data["AGE"].tolist() == [35, 42]


PERSON_JSON = _json_dictionary(
    name="TEST_LFS",
    ids=[_json_item("REG", label="Region", start=2, length=2, value_sets=[
        {"name": "REG_VS1", "labels": [{"text": "Region"}], "values": [
            {"labels": [{"text": "North"}], "note": "provinces", "pairs": [{"value": "1"}]},
            {"labels": [{"text": "South"}], "pairs": [{"value": "2"}]}]}])],
    records=[{"name": "PERSON", "labels": [{"text": "Persons"}], "recordType": "2", "occurrences": {"required": True, "maximum": 1}, "items": [
        _json_item("SEX", label="Sex", length=1, value_sets=[{"name": "SEX_VS1", "labels": [{"text": "Sex"}], "values": [
            {"labels": [{"text": "Male"}], "pairs": [{"value": "1"}]}, {"labels": [{"text": "Female"}], "pairs": [{"value": "2"}]}]}]),
        _json_item("AGE", label="Age", length=2, value_sets=[{"name": "AGE_VS1", "labels": [{"text": "Age group"}], "values": [
            {"labels": [{"text": "Children"}], "pairs": [{"range": ["0", "14"]}]},
            {"labels": [{"text": "Adults"}], "pairs": [{"range": ["15", "99"]}]}]}]),
        _json_item("WGT", label="Weight", length=8, decimals=4),
        _json_item("OCC", kind="alpha", label="Occupation code", length=3, value_sets=[
            {"name": "OCC_VS1", "labels": [{"text": "Occupation"}], "values": [
                {"labels": [{"text": "Farmer"}], "pairs": [{"value": "A1"}]},
                {"labels": [{"text": "Not applicable"}], "special": "NOTAPPL", "pairs": [{"value": ""}]}]}]),
        _json_item("HRS", label="Hours per day", length=1, occurrences=3)]}],
)


def test_same_layout_as_text_and_json_reads_the_same(tmp_path):
    """PERSON_DCF (7.x text, absolute starts) and PERSON_JSON (CSPro 8, relative positions): same frame and labels."""
    dcf, data = write(tmp_path, name="text")
    text = read(dcf)
    dcf8, _ = write(tmp_path, dcf=json.dumps(PERSON_JSON, indent=2), name="json")
    json8 = read(dcf8)
    pd.testing.assert_frame_equal(json8.data, text.data)
    assert (json8.value_labels, json8.variable_labels) == (text.value_labels, text.variable_labels)
    assert read_dictionary(dcf8).records[0].items[-2].value_sets[0].values[1] == ([""], "Not applicable", "NOTAPPL")
    # the same with absolute positions: every item has its start
    absolute = copy.deepcopy(PERSON_JSON)
    absolute["relativePositions"] = False
    for item, start in zip(absolute["levels"][0]["records"][0]["items"], (4, 5, 7, 15, 18)):
        item["start"] = start
    dcf8, _ = write(tmp_path, dcf=json.dumps(absolute), name="absolute")
    pd.testing.assert_frame_equal(read(dcf8).data, text.data)


def test_several_record_types_text_and_json(tmp_path):
    households = copy.deepcopy(PERSON_JSON)
    households["levels"][0]["records"].insert(0, {
        "name": "HOUSEHOLD", "labels": [{"text": "Households"}], "recordType": "1", "occurrences": {"required": True, "maximum": 1},
        "items": [_json_item("ROOMS", label="Rooms", length=2)]})
    lines = ["10103", PERSON_LINES[0], PERSON_LINES[1], "10204", PERSON_LINES[3]]
    text, _ = write(tmp_path, dcf=HOUSEHOLD_DCF, lines=lines, name="text")
    json8, _ = write(tmp_path, dcf=json.dumps(households), lines=lines, name="json")
    for name in ("HOUSEHOLD", "PERSON"):
        pd.testing.assert_frame_equal(read_records(json8)[name], read_records(text)[name])
    assert [r.length for r in read_dictionary(json8).records] == [5, 20]


def test_subitems_of_a_repeated_item_text_and_json(tmp_path):
    """A subitem of an item with occurrences repeats with it, stepping by the parent's length (both formats)."""
    text = ("[Dictionary]\nName=A\nRecordTypeStart=1\nRecordTypeLen=1\n[Record]\nName=P\nRecordTypeValue='1'\n"
            "[Item]\nName=ACT\nStart=2\nLen=3\nDataType=Numeric\nOccurrences=2\n"
            "[Item]\nName=ACT_CODE\nStart=3\nLen=2\nItemType=SubItem\nDataType=Numeric\n"
            "[Item]\nName=KIND\nStart=8\nLen=1\nDataType=Alpha\n")
    items = [_json_item("ACT", length=3, occurrences=2), _json_item("ACT_CODE", length=2), _json_item("KIND", kind="alpha", length=1)]
    items[1].update(subitem=True, subitemOffset=1)
    record = [{"name": "P", "recordType": "1", "occurrences": {"required": True, "maximum": 1}, "items": items}]
    lines = ["1105207X", "1301"]
    frames = []
    for name, dcf in (("text", text), ("json", json.dumps(_json_dictionary(record)))):
        path, _ = write(tmp_path, dcf=dcf, lines=lines, name=name)
        frames.append(read(path).data)
    pd.testing.assert_frame_equal(frames[1], frames[0])
    assert _plain(frames[0]) == {"ACT_1": [105, 301], "ACT_2": [207, None], "ACT_CODE_1": [5, 1], "ACT_CODE_2": [7, None],
                                 "KIND": ["X", None]}


def test_cspro8_two_levels_with_relative_positions(tmp_path):
    """Two levels: CSPro places the record type, then the ids of every level, then each record's items."""
    doc = _json_dictionary([{"name": "HOUSEHOLD", "recordType": "1", "occurrences": {"required": True, "maximum": 1},
                             "items": [_json_item("ROOMS", length=2)]}], ids=[_json_item("HH", start=2, length=3)])
    doc["levels"].append({"name": "PERSONS", "ids": {"items": [_json_item("PNO", start=5, length=2)]},
                          "records": [{"name": "PERSON", "recordType": "2", "occurrences": {"required": True, "maximum": 30},
                                       "items": [_json_item("AGE", length=2)]}]})
    text = ("[Dictionary]\nName=R\nRecordTypeStart=1\nRecordTypeLen=1\nPositions=Relative\n"
            "[Level]\nName=R_QUEST\n[IdItems]\n[Item]\nName=HH\nStart=2\nLen=3\n"
            "[Record]\nName=HOUSEHOLD\nRecordTypeValue='1'\nRecordLen=8\n[Item]\nName=ROOMS\nStart=7\nLen=2\n"
            "[Level]\nName=PERSONS\n[IdItems]\n[Item]\nName=PNO\nStart=5\nLen=2\n"
            "[Record]\nName=PERSON\nRecordTypeValue='2'\nRecordLen=8\n[Item]\nName=AGE\nStart=7\nLen=2\n")
    lines = ["1001  03", "20010135", "20010242"]
    json8, _ = write(tmp_path, dcf=json.dumps(doc), lines=lines, name="json")
    d = read_dictionary(json8)
    assert [(i.name, i.start) for i in d.id_items] == [("HH", 2), ("PNO", 5)]
    assert [(r.items[0].name, r.items[0].start, r.length) for r in d.records] == [("ROOMS", 7, 8), ("AGE", 7, 8)]
    frames = read_records(json8)
    assert _plain(frames["HOUSEHOLD"]) == {"HH": [1], "PNO": [None], "ROOMS": [3]}
    assert _plain(frames["PERSON"]) == {"HH": [1, 1], "PNO": [1, 2], "AGE": [35, 42]}
    text_dcf, _ = write(tmp_path, dcf=text, lines=lines, name="text")
    for name, frame in read_records(text_dcf).items():
        pd.testing.assert_frame_equal(frames[name], frame)


def test_text_labels_take_the_primary_language(tmp_path):
    dcf = PERSON_DCF.replace("Label=Sex\nName=SEX", "Label=Sex|Sexe\nName=SEX").replace("Value=2;Female", "Value=2;Female|Femme")
    dcf = dcf.replace("Value=1;Male", "Value=1;|Homme")  # no primary label: CSPro takes the next language's
    dcf, _ = write(tmp_path, dcf=dcf)
    s = read(dcf)
    assert s.variable_labels["SEX"] == "Sex" and s.value_labels["SEX"] == {1: "Homme", 2: "Female"}


def _mutate(doc: dict, where: str, change) -> dict:
    doc = copy.deepcopy(doc)
    node = doc
    for key in where.split("/") if where else []:
        node = node[int(key)] if key.isdigit() else node[key]
    change(node)
    return doc


def _items(*path: str) -> str:
    return "/".join(("levels", "0", "records", "0", "items") + path)


@pytest.mark.parametrize("where, change, message", [
    ("", lambda d: d.pop("recordType"), r"the dictionary has no 'recordType'"),
    ("recordType", lambda d: d.pop("length"), r"the dictionary's recordType has no 'length'"),
    ("", lambda d: d.pop("levels"), r"the dictionary has no 'levels'"),
    ("", lambda d: d.update(levels=[]), r"defines no record"),
    ("levels/0/records/0", lambda d: d.pop("name"), r"record 1 of level 'TEST_LFS_QUEST' has no 'name'"),
    (_items("1"), lambda d: d.pop("name"), r"item 2 of record 'PERSON' has no 'name'"),
    (_items("1"), lambda d: d.pop("contentType"), r"item 'AGE' of record 'PERSON' has no 'contentType'"),
    (_items("1"), lambda d: d.pop("length"), r"item 'AGE' of record 'PERSON' has no 'length'"),
    (_items("1"), lambda d: d.update(length="two"), r"item 'AGE' of record 'PERSON' has 'length': 'two', not a whole number"),
    (_items("1"), lambda d: d.update(contentType="date"), r"item 'AGE' of record 'PERSON' has contentType 'date'"),
    (_items("4"), lambda d: d.update(occurrences={"labels": []}), r"the occurrences of item 'HRS' of record 'PERSON' has no 'maximum'"),
    ("levels/0/ids/items/0", lambda d: d.pop("start"), r"item 'REG' of the ids of level 'TEST_LFS_QUEST' has no 'start'"),
    ("", lambda d: d.update(relativePositions=False), r"item 'SEX' of record 'PERSON' has no 'start'.*absolute positions"),
    (_items("2"), lambda d: d.update(subitem=True), r"item 'WGT' of record 'PERSON' has no 'subitemOffset'"),
    (_items("0", "valueSets", "0", "values", "0"), lambda d: d.update(pairs=[{"from": "1"}]),
     r"value 1 of value set 'SEX_VS1' of item 'SEX' of record 'PERSON' has a pair with neither 'value' nor 'range'"),
    (_items("1", "valueSets", "0", "values", "0"), lambda d: d.update(pairs=[{"range": ["0", "5", "14"]}]),
     r"value 1 of value set 'AGE_VS1' of item 'AGE'.*'range' that is not \[from, to\]"),
    ("levels/0/records/0", lambda d: d.update(items={"name": "SEX"}), r"record 'PERSON' has 'items' that is not a list"),
    ("", lambda d: d.update(fileType="form"), r"it is a CSPro 8 'form' file, not a dictionary"),
])
def test_cspro8_missing_or_wrong_keys_name_file_and_key(tmp_path, where, change, message):
    dcf, _ = write(tmp_path, dcf=json.dumps(_mutate(PERSON_JSON, where, change)))
    with pytest.raises(FileFormatError, match=r"CSPro 8 dictionary '.*lfs\.dcf'.*" + message) as err:
        read(dcf)
    assert "What to do" in str(err.value)


def test_cspro8_malformed_json(tmp_path):
    p = tmp_path / "broken.dcf"
    p.write_text('{\n  "software": "CSPro",\n  "fileType": "dictionary",,\n  "levels": []\n}')
    with pytest.raises(FileFormatError, match=r"broken\.dcf.*not valid JSON.*line 3, column 28"):
        read_dictionary(p)
    p.write_text('{"software": "CSPro", "version": 8.0, "levels": []')
    with pytest.raises(FileFormatError, match=r"broken\.dcf.*not valid JSON"):
        read(p)


def test_cspro8_record_type_after_the_ids(tmp_path):
    """Relative positions count from the end of whichever comes last: the ids or the record type."""
    doc = _json_dictionary([{"name": "P", "recordType": "P", "occurrences": {"required": True, "maximum": 1},
                             "items": [_json_item("AGE", length=2), _json_item("SEX", length=1)]}],
                           ids=[_json_item("HH", start=1, length=3)], rt=(4, 1))
    dcf, _ = write(tmp_path, dcf=json.dumps(doc), lines=["001P352", "002P41"])
    d = read_dictionary(dcf)
    assert [(i.name, i.start) for i in d.records[0].items] == [("AGE", 5), ("SEX", 7)] and d.records[0].length == 7
    assert _plain(read(dcf).data) == {"HH": [1, 2], "AGE": [35, 41], "SEX": [2, None]}


SPECIAL_DCF = """[Dictionary]
Name=E
RecordTypeStart=1
RecordTypeLen=0
[Record]
Name=P
RecordLen=7
[Item]
Name=PAY
Start=1
Len=6
DataType=Numeric
[ValueSet]
Name=PAY_VS1
Value=0:999990;Pay
Value=999999;Don't know
Name=MISSING,Special
Value=999998;Refused
Name=REFUSED,Special
[Item]
Name=SEX
Start=7
Len=1
DataType=Numeric
[ValueSet]
Name=SEX_VS1
Value=1;Male
Value=2;Female
"""


def test_special_missing_codes_become_missing_and_are_reported(tmp_path):
    (tmp_path / "e.dcf").write_text(SPECIAL_DCF)
    (tmp_path / "e.dat").write_text("0012001\n9999992\n9999981\n0005002\n")
    s = read_cspro(tmp_path / "e.dcf")
    assert len(s.data) == 4  # no row dropped
    assert s.data["PAY"].tolist()[0] == 1200 and s.data["PAY"].tolist()[3] == 500
    assert s.data["PAY"].isna().tolist() == [False, True, True, False]
    assert s.data["SEX"].tolist() == [1, 2, 1, 2]
    note = next(n for n in s.notes if "PAY" in n and "special" in n)
    assert "2 value(s)" in note and "MISSING (Don't know)" in note and "REFUSED (Refused)" in note


CODED_DCF = "[Dictionary]\nName=CODED\nRecordTypeStart=0\nRecordTypeLen=0\n[Record]\nName=P\nRecordLen=18\n" + "".join(
    f"[Item]\nName=Q{k}\nStart={1 + 3 * k}\nLen=3\nDataType=Numeric\n[ValueSet]\nName=Q{k}_VS1\nValue=1;Yes\nValue=2;No\n"
    for k in range(6))


def test_data_shifted_by_one_character_are_refused_naming_the_shift(tmp_path):
    """Was: read with a plausible record length and absurd values."""
    rng = np.random.default_rng(3)
    rows = ["".join(f"{v:03d}" for v in rng.integers(1, 3, 6)) for _ in range(60)]
    dcf, _ = write(tmp_path, CODED_DCF, rows)
    assert len(read(dcf).data) == 60
    write(tmp_path, CODED_DCF, [" " + r[:-1] for r in rows])          # an extra character at the start
    with pytest.raises(DictionaryMismatchError, match=r"6 of the 6 items with value sets in record 'P' hold mostly "
                                                      r"values the dictionary does not declare.*one character further "
                                                      r"right, the values fit"):
        read(dcf)
    write(tmp_path, CODED_DCF, [r[1:] + "0" for r in rows])           # one character missing
    with pytest.raises(DictionaryMismatchError, match="further left, the values fit"):
        read(dcf)
    odd = list(rows)
    odd[4] = "007" + odd[4][3:]                                        # one undeclared code: kept and said
    write(tmp_path, CODED_DCF, odd)
    s = read(dcf)
    assert s.data["Q0"].tolist()[4] == 7
    assert any("Q0: 1.7% of its values are not in its value set (e.g. 7)" in n for n in s.notes)


def test_psa_file_shifted_by_one_character(shared_data, tmp_path):
    src = shared_data / "microdata" / "phl_lfs_puf_2022" / "LFS_PUF_November_2022"
    raw = src.with_suffix(".F2").read_bytes()
    lines = raw[3:].split(b"\n")
    (tmp_path / "puf.dcf").write_bytes(src.with_suffix(".dcf").read_bytes())
    # the record type kept, the rest one character to the right, each line as long as before
    (tmp_path / "puf.F2").write_bytes(raw[:3] + b"\n".join(ln[:1] + b" " + ln[1:-1] if ln else ln for ln in lines))
    with pytest.raises(DictionaryMismatchError, match=r"PUFREG \d+%.*further right, the values fit"):
        read(tmp_path / "puf.dcf")
    (tmp_path / "puf.F2").write_bytes(raw[:3] + b"\n".join(b" " + ln[:-1] if ln else ln for ln in lines))
    with pytest.raises(DictionaryMismatchError, match="record types are right: the lines seem shifted"):
        read(tmp_path / "puf.dcf")
