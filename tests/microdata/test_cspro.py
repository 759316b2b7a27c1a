"""CSPro: .dcf dictionaries and fixed-width data (generated in tmp_path), and their bad input."""
from __future__ import annotations

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


ITEM_WIDTHS = st.lists(st.tuples(st.integers(1, 9), st.booleans(), st.integers(0, 3)), min_size=1, max_size=6)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(widths=ITEM_WIDTHS, data=st.data())
def test_round_trip_random_layouts(tmp_path, widths, data):
    """Write random numeric/alpha items fixed-width, right-trim the lines, read them back unchanged."""
    items, pos, cols = [], 2, {}
    n = data.draw(st.integers(1, 30))
    for k, (width, numeric, decimals) in enumerate(widths):
        decimals = min(decimals, width - 1) if numeric else 0
        name = f"V{k}"
        items.append(f"[Item]\nName={name}\nStart={pos}\nLen={width}\nDataType={'Numeric' if numeric else 'Alpha'}\nDecimal={decimals}\n")
        if numeric:
            vals = data.draw(st.lists(st.one_of(st.none(), st.integers(0, 10 ** width - 1)), min_size=n, max_size=n))
            text = ["".rjust(width) if v is None else str(v).zfill(width) for v in vals]
            expect = [None if v is None else (v / 10 ** decimals if decimals else v) for v in vals]
        else:
            vals = data.draw(st.lists(st.one_of(st.none(), st.text("ABCxyz09-", min_size=1, max_size=width)), min_size=n, max_size=n))
            text = ["".ljust(width) if v is None else v.ljust(width) for v in vals]
            expect = vals
        cols[name] = (text, expect)
        pos += width
    dcf = "[Dictionary]\nName=R\nRecordTypeStart=1\nRecordTypeLen=1\n[Record]\nName=P\nRecordTypeValue='1'\n" + "".join(items)
    lines = [("1" + "".join(cols[c][0][i] for c in cols)).rstrip() for i in range(n)]
    lines[0] = lines[0].ljust(pos - 1)  # one full-length line, so no item lies beyond every line
    (tmp_path / "r.dcf").write_text(dcf)
    (tmp_path / "r.dat").write_text("\n".join(lines) + "\n")
    got = read_cspro(tmp_path / "r.dcf").data
    assert len(got) == n
    for c, (_, expect) in cols.items():
        actual = [None if pd.isna(v) else v for v in got[c].tolist()]
        if any(isinstance(e, float) for e in expect):
            assert all((a is None and e is None) or abs(a - e) < 1e-9 for a, e in zip(actual, expect)), c
        else:
            assert actual == expect, c


def test_cspro8_json_dictionary_is_refused_clearly(tmp_path):
    p = tmp_path / "x.dcf"
    p.write_text('{"software": "CSPro", "version": 8.0, "levels": []}')
    with pytest.raises(FileFormatError, match="CSPro 8 JSON dictionary.*CSPro 7 text format"):
        read(p)


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
