"""read(): CSV (encodings, delimiters), Excel, Stata, SPSS, Parquet, and bad input for files."""
from __future__ import annotations

import pandas as pd
import pyreadstat
import pytest

from evidencekit.errors import InputError
from evidencekit.microdata import ColumnError, FileFormatError, MissingFileError, Survey, read

FRAME = pd.DataFrame({
    "région": ["Île-de-France", "Nord", "Sud", "Est"],
    "wgt": [1.5, 2.0, 3.25, 4.0],
    "strate": [1, 1, 2, 2],
    "ea": [10, 11, 20, 21],
    "sexe": [1, 2, 2, 1],
})


def write_csv(path, text: str, encoding: str) -> None:
    path.write_bytes(text.encode(encoding))


CSV = "région,wgt,strate,ea,sexe\nÎle-de-France,1.5,1,10,1\nNord,2.0,1,11,2\nSud,3.25,2,20,2\nEst,4.0,2,21,1\n"


@pytest.mark.parametrize(("encoding", "said"), [
    ("utf-8", "Encoding: UTF-8."),
    ("utf-8-sig", "Encoding: UTF-8 with a byte-order mark (BOM)."),
    ("cp1252", "Encoding: not UTF-8; read as 'cp1252'"),
])
def test_csv_encoding_detected_and_said(tmp_path, encoding, said):
    p = tmp_path / "lfs.csv"
    write_csv(p, CSV, encoding)
    s = read(p, weight="wgt", strata="strate", psu="ea")
    assert list(s.data.columns) == list(FRAME.columns)  # no BOM glued to the first name
    assert s.data["région"].tolist() == FRAME["région"].tolist()
    assert s.data["wgt"].tolist() == FRAME["wgt"].tolist()
    assert any(n.startswith(said) for n in s.notes), s.notes
    assert s.design_summary()["n_psu"] == 4


def test_csv_latin1_bytes_outside_cp1252(tmp_path):
    p = tmp_path / "lfs.csv"
    p.write_bytes("a,b\n\x81x,1\n".encode("latin-1"))  # 0x81 is undefined in cp1252
    s = read(p)
    assert s.data["a"].tolist() == ["\x81x"]
    assert any("latin-1" in n for n in s.notes)


def test_csv_given_encoding_that_does_not_fit(tmp_path):
    p = tmp_path / "lfs.csv"
    write_csv(p, CSV, "cp1252")
    with pytest.raises(FileFormatError, match=r"lfs\.csv.*'utf-8'.*line 1.*leave encoding= out"):
        read(p, encoding="utf-8")
    with pytest.raises(FileFormatError, match="not an encoding"):
        read(p, encoding="klingon")
    assert read(p, encoding="latin-1").data["région"][0] == "Île-de-France"


@pytest.mark.parametrize("sep", [";", "\t", "|"])
def test_csv_delimiter_detected(tmp_path, sep):
    p = tmp_path / "lfs.csv"
    p.write_text(CSV.replace(",", sep), encoding="utf-8")
    s = read(p)
    assert s.data.shape == (4, 5)
    assert any(repr(sep) in n for n in s.notes)


def test_csv_semicolon_with_decimal_commas(tmp_path):
    p = tmp_path / "lfs.csv"
    p.write_text("id;poids;age\n1;1,5;30\n2;2;40\n", encoding="utf-8")
    s = read(p, weight="poids")
    assert s.data["poids"].tolist() == [1.5, 2.0]
    assert s.data["age"].tolist() == [30, 40]


def test_csv_delimiter_given(tmp_path):
    p = tmp_path / "lfs.txt"
    p.write_text("a:b\n1:2\n", encoding="utf-8")
    assert read(p, delimiter=":").data.to_dict("list") == {"a": [1], "b": [2]}


def test_csv_row_with_too_many_fields_is_an_error_not_a_drop(tmp_path):
    p = tmp_path / "lfs.csv"
    p.write_text("a,b\n1,2\n3,4,5\n6,7\n", encoding="utf-8")
    with pytest.raises(FileFormatError, match="more fields than the header"):
        read(p, delimiter=",")


def test_every_record_kept(tmp_path):
    n = 5000
    frame = pd.DataFrame({"id": range(n), "w": 1.0, "x": [None if i % 7 == 0 else i for i in range(n)]})
    p = tmp_path / "big.csv"
    frame.to_csv(p, index=False)
    assert len(read(p, weight="w").data) == n


def test_columns_subset_keeps_design_columns(tmp_path):
    p = tmp_path / "lfs.csv"
    write_csv(p, CSV, "utf-8")
    s = read(p, columns=["sexe"], weight="wgt")
    assert list(s.data.columns) == ["sexe", "wgt"]
    with pytest.raises(ColumnError, match="sexo.*use 'sexe' instead"):
        read(p, columns=["sexo"])


def test_excel_with_sheets(tmp_path):
    p = tmp_path / "lfs.xlsx"
    with pd.ExcelWriter(p, engine="openpyxl") as xl:
        pd.DataFrame({"note": ["read me"]}).to_excel(xl, sheet_name="README", index=False)
        FRAME.to_excel(xl, sheet_name="persons", index=False)
    # the first sheet is not the data: never read silently (was: README read as the survey, with a note)
    with pytest.raises(FileFormatError, match=r"2 sheets with content \('README' \(2 rows, 1 columns: note\); "
                                              r"'persons' \(5 rows, 5 columns: région, wgt, strate, ea …\)\).*"
                                              r"does not guess.*sheet=NAME"):
        read(p)
    s = read(p, sheet="persons", weight="wgt")
    assert s.data["wgt"].tolist() == FRAME["wgt"].tolist()
    assert read(p, sheet=1).data.shape == FRAME.shape
    with pytest.raises(FileFormatError, match="use 'persons' instead"):
        read(p, sheet="person")
    with pytest.raises(FileFormatError, match="2 sheet"):
        read(p, sheet=5)


@pytest.mark.parametrize(("ext", "writer"), [(".dta", pyreadstat.write_dta), (".sav", pyreadstat.write_sav)])
def test_stata_and_spss_keep_value_and_variable_labels(tmp_path, ext, writer):
    p = tmp_path / f"lfs{ext}"
    frame = FRAME.rename(columns={"région": "region"})
    writer(frame, str(p), column_labels={"sexe": "Sexe de la personne", "wgt": "Poids final"},
           variable_value_labels={"sexe": {1: "Homme", 2: "Femme"}})
    s = read(p, weight="wgt", strata="strate", psu="ea")
    assert len(s.data) == 4
    assert s.value_labels["sexe"] == {1: "Homme", 2: "Femme"}
    assert s.variable_labels["sexe"] == "Sexe de la personne"
    assert s.labels("sexe").tolist() == ["Homme", "Femme", "Femme", "Homme"]
    assert s.data["region"][0] == "Île-de-France"


def test_parquet(tmp_path):
    p = tmp_path / "lfs.parquet"
    FRAME.to_parquet(p)
    s = read(p, weight="wgt", strata="strate", psu="ea")
    pd.testing.assert_frame_equal(s.data, FRAME, check_dtype=False)


def test_damaged_files_are_input_errors(tmp_path):
    for ext in (".xlsx", ".dta", ".sav", ".parquet"):
        p = tmp_path / f"bad{ext}"
        p.write_bytes(b"this is not that format at all")
        with pytest.raises(FileFormatError, match=f"bad\\{ext}"):
            read(p)


def test_missing_file_suggests_close_names(tmp_path):
    (tmp_path / "lfs_2022.csv").write_text("a\n1\n")
    with pytest.raises(MissingFileError, match="does not exist.*there is 'lfs_2022.csv' in the same folder: did you "
                                               "mean it") as err:
        read(tmp_path / "lfs_2021.csv")
    # an unrelated file is never offered (was: 'use notes.csv instead' for nowhere.csv)
    (tmp_path / "notes.csv").write_text("a\n1\n")
    with pytest.raises(MissingFileError, match=r"no file of a similar name in .* \(2 file\(s\) there\)") as other:
        read(tmp_path / "nowhere.csv")
    assert "notes.csv" not in str(other.value)
    (tmp_path / "survey.xlsx").write_text("x")
    with pytest.raises(MissingFileError, match="there is 'survey.xlsx'"):
        read(tmp_path / "survey.csv")
    assert isinstance(err.value, InputError) and isinstance(err.value, FileNotFoundError)
    with pytest.raises(MissingFileError, match="folder .* does not exist"):
        read(tmp_path / "nowhere" / "x.csv")
    with pytest.raises(FileFormatError, match="folder, not a file"):
        read(tmp_path)


def test_unsupported_extension_lists_supported(tmp_path):
    p = tmp_path / "lfs.rds"
    p.write_bytes(b"x")
    with pytest.raises(FileFormatError, match=r"'\.rds'.*supported: \.csv.*\.dta.*\.sav.*\.parquet.*\.dcf"):
        read(p)


def test_cspro_data_file_given_as_path_points_to_dictionary(tmp_path):
    (tmp_path / "puf.dcf").write_text("[Dictionary]\n")
    p = tmp_path / "puf.F2"
    p.write_text("1\n")
    with pytest.raises(FileFormatError, match=r"CSPro data.*read\(.*puf\.dcf.*data="):
        read(p)


@pytest.mark.parametrize("content", [b"", b"   \n\n", b"a,b,c\n"])
def test_empty_files(tmp_path, content):
    p = tmp_path / "empty.csv"
    p.write_bytes(content)
    with pytest.raises(FileFormatError, match="empty.csv.*(empty|no records|no header)"):
        read(p)


def test_misnamed_design_columns_suggest_close_names(tmp_path):
    p = tmp_path / "lfs.csv"
    write_csv(p, CSV, "utf-8")
    with pytest.raises(ColumnError, match=r"strata column 'strata'.*lfs\.csv.*use 'strate' instead"):
        read(p, strata="strata")
    with pytest.raises(ColumnError, match=r"psu column 'EA'.*use 'ea' instead"):
        read(p, psu="EA")
    with pytest.raises(ColumnError, match="choose one of: région, wgt, strate, ea, sexe"):
        read(p, weight="zzzz")


@pytest.mark.parametrize(("values", "said"), [
    ("0", "1 zero"), ("-2", "1 negative"), ("", "1 missing"), ("abc", "1 non-numeric"),
])
def test_bad_weights_are_counted_by_kind(tmp_path, values, said):
    p = tmp_path / "lfs.csv"
    p.write_text(f"id,w\n1,1.5\n2,{values}\n3,2\n", encoding="utf-8")
    with pytest.raises(InputError, match=f"weight column 'w'.*lfs.csv.*{said}.*first rows: \\[1\\]"):
        read(p, weight="w")


def test_read_returns_survey(tmp_path):
    p = tmp_path / "lfs.csv"
    write_csv(p, CSV, "utf-8")
    s = read(p)
    assert isinstance(s, Survey) and not s.has_design and s.source == "lfs.csv"


@pytest.mark.parametrize(("option", "value"), [("data", "x.dat"), ("record", "P"), ("sheet", 1), ("delimiter", ";")])
def test_options_for_other_formats_are_refused(tmp_path, option, value):
    p = tmp_path / "lfs.parquet"
    FRAME.to_parquet(p)
    with pytest.raises(FileFormatError, match=f"{option}= applies only to"):
        read(p, **{option: value})


def test_empty_sheet_and_empty_parquet(tmp_path):
    x = tmp_path / "empty.xlsx"
    pd.DataFrame({"a": []}).to_excel(x, index=False)
    with pytest.raises(FileFormatError, match="empty.xlsx.*no records"):
        read(x)
    q = tmp_path / "empty.parquet"
    FRAME.iloc[:0].to_parquet(q)
    with pytest.raises(FileFormatError, match="empty.parquet.*no records"):
        read(q)


def test_utf16_tab_separated_export(tmp_path):
    p = tmp_path / "export.txt"
    p.write_bytes(CSV.replace(",", "\t").encode("utf-16"))
    s = read(p, weight="wgt")
    assert s.data["région"].tolist() == FRAME["région"].tolist()
    assert any("UTF-16" in n for n in s.notes) and any("'\\t'" in n for n in s.notes)


def test_spss_user_missing_values_are_said(tmp_path):
    p = tmp_path / "lfs.sav"
    frame = pd.DataFrame({"w": [1.0, 2.0, 3.0], "hours": [40.0, 99.0, 20.0]})
    pyreadstat.write_sav(frame, str(p), missing_ranges={"hours": [99]})
    s = read(p, weight="w")
    assert s.data["hours"].isna().tolist() == [False, True, False]
    assert any("User-defined missing values" in n and "hours" in n for n in s.notes)


def test_real_csv_from_r_survey(shared_data):
    """The R `survey` api samples (PROVENANCE.md §2): every record, R's dotted names, the design."""
    folder = shared_data / "microdata" / "r_survey_api"
    s = read(folder / "apistrat.csv", weight="pw", strata="stype", psu="snum")
    assert len(s.data) == 200 and s.design_summary()["n_strata"] == 3
    assert "api.stu" in s.data.columns and s.data["api00"].dtype.kind == "i"
    c = read(folder / "apiclus1.csv", weight="pw", psu="dnum", columns=["api.stu", "enroll"])
    assert list(c.data.columns) == ["api.stu", "enroll", "pw", "dnum"] and len(c.data) == 183
    assert c.design_summary()["n_psu"] == 15


def test_utf16_without_byte_order_mark(tmp_path):
    p = tmp_path / "export.txt"
    p.write_bytes(CSV.replace(",", "\t").encode("utf-16-le"))
    s = read(p, weight="wgt")
    assert list(s.data.columns) == list(FRAME.columns) and s.data["région"].tolist() == FRAME["région"].tolist()
    assert any("UTF-16 little-endian" in n for n in s.notes)


@pytest.mark.parametrize(("name", "write", "said", "fix"), [
    ("lfs.csv", lambda p: FRAME.to_excel(p, index=False), "content is an Excel workbook", "rename it to 'lfs.xlsx'"),
    ("lfs.csv", lambda p: FRAME.to_parquet(p), "content is a Parquet file", "rename it to 'lfs.parquet'"),
    ("lfs.sav", lambda p: pyreadstat.write_dta(FRAME.rename(columns={"région": "r"}), str(p)), "content is a Stata file",
     "rename it to 'lfs.dta'"),
    ("lfs.xlsx", lambda p: p.write_text(CSV), r"says Excel \(.xlsx\) but its content is a text \(CSV\) file", "'lfs.csv'"),
    ("lfs.csv", lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100), "old Excel workbook", "save it as .xlsx"),
    ("lfs.csv", lambda p: p.write_bytes(bytes(range(256)) * 4), "binary data", "check that this is the survey file"),
])
def test_content_that_does_not_match_the_extension(tmp_path, name, write, said, fix):
    p = tmp_path / name
    write(p)
    with pytest.raises(FileFormatError, match=f"{name}.*{said}.*What to do: .*{fix}"):
        read(p)


def test_old_xls_extension_says_how_to_convert(tmp_path):
    p = tmp_path / "lfs.xls"
    p.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(FileFormatError, match="'.xls' is not.*save it as .xlsx"):
        read(p)


def test_repeated_blank_and_spaced_column_names_are_said(tmp_path):
    p = tmp_path / "lfs.csv"
    p.write_text(" id ,w,w,,w.1\n1,2,3,4,5\n", encoding="utf-8")
    s = read(p, weight=" id ".strip())
    assert list(s.data.columns) == ["id", "w", "w.2", "Unnamed: 3", "w.1"]   # the file's own 'w.1' is kept
    assert s.data.iloc[0].tolist() == [1, 2, 3, 4, 5]
    said = " ".join(s.notes)
    assert "Spaces around column names removed: [' id ']" in said and "['w.2']" in said and "'Unnamed: 3'" in said
    x = tmp_path / "lfs.xlsx"
    pd.DataFrame([[1, 2, 3]], columns=["a", "a", "b"]).to_excel(x, index=False)
    assert any("['a.1']" in n for n in read(x).notes)


def test_thousands_dots_with_decimal_commas(tmp_path):
    p = tmp_path / "lfs.csv"
    p.write_text("id;revenu;code\n1;1.234,5;1.5\n2;2.000;2,5\n3;950,25;x\n", encoding="utf-8")
    d = read(p).data
    assert d["revenu"].tolist() == [1234.5, 2000.0, 950.25]
    assert d["code"].tolist() == ["1.5", "2,5", "x"]      # not one convention: left as text


def test_excel_header_below_title_rows(tmp_path):
    p = tmp_path / "lfs.xlsx"
    with pd.ExcelWriter(p, engine="openpyxl") as xl:
        pd.DataFrame([["Labour force survey 2023", *[None] * 4], [None] * 5, list(FRAME.columns), *FRAME.values.tolist()]).to_excel(
            xl, sheet_name="data", index=False, header=False)
    s = read(p, weight="wgt", strata="strate", psu="ea")
    assert list(s.data.columns) == list(FRAME.columns) and len(s.data) == 4
    assert s.data["wgt"].tolist() == FRAME["wgt"].tolist() and s.data["sexe"].dtype.kind == "i"
    assert any("row 3" in n and "Labour force survey 2023" in n for n in s.notes)
    assert read(p, header=3).data.shape == (4, 5)
    assert list(read(p, header=1).data.columns)[0] == "Labour force survey 2023"
    with pytest.raises(FileFormatError, match="header=99 but the sheet has 7 rows"):
        read(p, header=99)
    with pytest.raises(FileFormatError, match="header=0 is not a row number"):
        read(p, header=0)


def test_csv_title_lines_and_header(tmp_path):
    p = tmp_path / "lfs.csv"
    p.write_text("Enquete emploi 2023\n\n" + CSV, encoding="utf-8")
    with pytest.raises(FileFormatError, match="lfs.csv.*4 field.* more than the header.*title lines, pass header="):
        read(p)
    s = read(p, header=3, weight="wgt")
    assert s.data.shape == (4, 5) and any("'Enquete emploi 2023'" in n for n in s.notes)


def test_empty_first_sheet_reads_the_only_sheet_with_content(tmp_path):
    p = tmp_path / "lfs.xlsx"
    with pd.ExcelWriter(p, engine="openpyxl") as xl:
        pd.DataFrame().to_excel(xl, sheet_name="Sheet1", index=False)
        FRAME.to_excel(xl, sheet_name="persons", index=False)
    s = read(p)
    assert s.data.shape == FRAME.shape
    assert any("'persons', the only sheet with content" in n and "Sheet1" in n for n in s.notes)
    with pytest.raises(FileFormatError, match=r"sheet 'Sheet1'.*empty.*sheet="):
        read(p, sheet="Sheet1")


def test_excel_data_continuing_on_a_second_sheet(tmp_path):
    """Was: the first sheet silently, half the records."""
    p = tmp_path / "lfs.xlsx"
    with pd.ExcelWriter(p, engine="openpyxl") as xl:
        FRAME.iloc[:2].to_excel(xl, sheet_name="part 1", index=False)
        FRAME.iloc[2:].to_excel(xl, sheet_name="part 2", index=False)
        pd.DataFrame().to_excel(xl, sheet_name="blank", index=False)
    with pytest.raises(FileFormatError, match=r"same columns on 2 sheets.*continue from one sheet to the next.*"
                                              r"sheet='all'"):
        read(p)
    s = read(p, sheet="all", weight="wgt")
    assert s.data["wgt"].tolist() == FRAME["wgt"].tolist()
    assert any("2 sheets with the same columns read as one table" in n for n in s.notes)
    assert read(p, sheet="part 2").data.shape == (2, 5)
    with pd.ExcelWriter(p, engine="openpyxl") as xl:
        FRAME.to_excel(xl, sheet_name="persons", index=False)
        FRAME.rename(columns={"wgt": "poids"}).to_excel(xl, sheet_name="other", index=False)
    with pytest.raises(FileFormatError, match=r"sheet 'other' has other columns than sheet 'persons'"):
        read(p, sheet="all")


@pytest.mark.parametrize("ext", [".dta", ".sav"])
def test_stata_spss_encoding_python_names(tmp_path, ext):
    p = tmp_path / f"lfs{ext}"
    (pyreadstat.write_dta if ext == ".dta" else pyreadstat.write_sav)(FRAME.rename(columns={"région": "r"}), str(p))
    assert len(read(p, encoding="latin-1").data) == 4       # iconv calls it 'iso8859-1'
    assert len(read(p, encoding="utf-8").data) == 4
    with pytest.raises(FileFormatError, match="'klingon' is not an encoding"):
        read(p, encoding="klingon")


@pytest.mark.parametrize(("delimiter", "said"), [
    ("semicolon", "delimiter='semicolon' is not one character"),
    ("", "delimiter='' is not one character"),
    (";", "header line has no ';' but has ','.*pass delimiter=','"),
])
def test_given_delimiter_that_cannot_be_right(tmp_path, delimiter, said):
    p = tmp_path / "lfs.csv"
    write_csv(p, CSV, "utf-8")
    with pytest.raises(FileFormatError, match=f"lfs.csv.*{said}"):
        read(p, delimiter=delimiter)


def test_one_column_name_as_text(tmp_path):
    p = tmp_path / "lfs.csv"
    write_csv(p, CSV, "utf-8")
    assert list(read(p, columns="sexe").data.columns) == ["sexe"]


def test_utf8_file_read_with_another_given_encoding_is_warned(tmp_path):
    p = tmp_path / "lfs.csv"
    write_csv(p, CSV, "utf-8")
    s = read(p, encoding="cp1252")
    assert any("valid UTF-8" in n and "leave encoding= out" in n for n in s.notes)
    assert not any("valid UTF-8" in n for n in read(p, encoding="utf-8").notes)


def test_stata_extended_missing_values_are_said(tmp_path):
    p = tmp_path / "lfs.dta"
    frame = pd.DataFrame({"w": [1.0, 2.0, 3.0, 4.0], "hours": [40.0, "a", 20.0, "b"], "age": [30, 40, 50, 60]})
    pyreadstat.write_dta(frame, str(p), missing_user_values={"hours": ["a", "b"]},
                         variable_value_labels={"hours": {"a": "Don't know", "b": "Refused"}})
    s = read(p, weight="w")
    assert s.data["hours"].dtype == "float64" and s.data["hours"].isna().tolist() == [False, True, False, True]
    assert s.data["hours"].sum() == 60.0 and len(s.data) == 4
    assert any("hours: .a Don't know (1), .b Refused (1)" in n for n in s.notes), s.notes


def test_dot_for_missing_numbers_as_stata_and_sas_export(tmp_path):
    p = tmp_path / "lfs.csv"
    p.write_text("id,w,hours,note\n1,1.5,.,a\n2,.,40,.\n3,2,35,b\n", encoding="utf-8")
    d = read(p)
    assert d.data["w"].isna().tolist() == [False, True, False] and d.data["hours"].dtype == "float64"
    assert d.data["note"].tolist() == ["a", ".", "b"]              # a text column keeps its '.'
    assert any("'.' alone read as missing" in n and "w (1), hours (1)" in n for n in d.notes)
    q = tmp_path / "eu.csv"
    q.write_text("a;a;b\n1,5;.;3\n", encoding="utf-8")             # repeated names and decimal commas together
    assert read(q).data.iloc[0].tolist()[::2] == [1.5, 3] and pd.isna(read(q).data.iloc[0, 1])


def test_rows_shorter_than_the_header_are_kept_and_said(tmp_path):
    path = tmp_path / "short.csv"
    path.write_text("id,wgt,sex,age\n1,10,1,30\n2,20,2\n3,30,1,45\n\n4,40\n")
    s = read(path, weight="wgt")
    assert s.data["id"].tolist() == [1, 2, 3, 4]  # nothing dropped
    assert s.data["age"].isna().tolist() == [False, True, False, True]
    note = next(n for n in s.notes if "fewer fields than the header" in n)
    assert note.startswith("2 row(s)") and "[3, 6]" in note


def test_a_complete_file_gets_no_short_row_note(tmp_path):
    path = tmp_path / "ok.csv"
    path.write_text('id,wgt,text\n1,10,"a,b"\n2,20,\n')  # a quoted delimiter; an empty last field is not a short row
    s = read(path, weight="wgt")
    assert not any("fewer fields" in n for n in s.notes)


@pytest.mark.parametrize("quote", ["", '"'])  # without quotes a vectorised count, with quotes the csv module
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_short_rows_found_the_same_way_with_and_without_quoting(tmp_path, quote, newline):
    rows = ["id;name;wgt;age", f"1;{quote}Ana{quote};10;30", "2;Bo;20", "", f"3;{quote}Cy{quote};30;40", "4", "   ",
            "5;Di;50;"]
    path = tmp_path / "short.csv"
    path.write_bytes(newline.join(rows).encode("utf-8") + newline.encode())
    s = read(path)
    assert s.data["id"].tolist() == [1, 2, 3, 4, 5]
    note = next(n for n in s.notes if "fewer fields than the header" in n)
    assert note.startswith("2 row(s)") and "[3, 6]" in note


def test_a_file_with_the_ilo_weight_is_weighted_without_naming_it(tmp_path):
    """Was: read without weight= gave an unweighted estimate, exit 0."""
    from evidencekit.indicators import estimate
    from evidencekit.microdata.synthetic import load_sample

    data = load_sample().data[["ilo_wgt", "strata", "psu", "ilo_wap", "ilo_lfs"]]
    path = tmp_path / "lfs.csv"
    data.to_csv(path, index=False)
    s = read(path, strata="strata", psu="psu")
    assert s.weight == "ilo_wgt" and any("not named" in n for n in s.notes)
    named = read(path, weight="ilo_wgt", strata="strata", psu="psu")
    got, want = (estimate(x, "unemployment_rate")["estimate"].iloc[0] for x in (s, named))
    assert got == want
    assert read(path, columns=["ilo_lfs"]).weight == "ilo_wgt"       # kept when only some columns are read
    unweighted = read(path, weight=False, strata="strata", psu="psu")
    out = estimate(unweighted, "unemployment_rate")
    assert out["estimate"].iloc[0] != want and "NW" in out["flags"].iloc[0]
    assert out.attrs["provenance"]["design"]["weight_rule"].startswith("none, on purpose")


@pytest.mark.parametrize(("tail", "said"), [
    ("5,2.", r"line 6: '5,2\.'\) has no line break and has 2 of the header's 5 fields: the file was cut"),
])
def test_csv_whose_last_row_is_cut_is_refused(tmp_path, tail, said):
    """Was: read as it was (a cut number taken as the value, or the row padded with missing values)."""
    p = tmp_path / "lfs.csv"
    p.write_text(CSV + tail, encoding="utf-8")
    with pytest.raises(FileFormatError, match=said):
        read(p)
    p.write_text("w,income\n1,12.34\n2,12345.67\n1,123.4", encoding="utf-8")
    with pytest.raises(FileFormatError, match=r"'123\.4' has 1 decimal\(s\) where every other value of column "
                                              r"'income' has 2: the file was cut inside that number"):
        read(p)
    p.write_text("id,w,ea\n1,1.5,10\n2,2.5,11\n3,3.5,2", encoding="utf-8")     # '2' of '20'
    with pytest.raises(FileFormatError, match=r"last value '2' is shorter than every other value of column 'ea' "
                                              r"\(2 to 2 characters\)"):
        read(p)


def test_csv_without_final_line_break_but_complete_is_read_and_said(tmp_path):
    p = tmp_path / "lfs.csv"
    p.write_text(CSV.rstrip("\n"), encoding="utf-8")
    s = read(p, weight="wgt")
    assert s.data.shape == FRAME.shape
    assert any("does not end with a line break" in n and "line 5" in n for n in s.notes)
    p.write_text(CSV + 'Ouest,1.0,2,22,"2', encoding="utf-8")   # cut inside a quoted field
    with pytest.raises(FileFormatError, match="cut|fields"):
        read(p)


def test_repeated_records(tmp_path):
    from evidencekit.indicators import estimate
    from evidencekit.microdata.synthetic import load_sample

    data = load_sample().data.iloc[:3000][["ilo_key", "ilo_wgt", "strata", "psu", "ilo_wap", "ilo_lfs"]]
    p = tmp_path / "lfs.csv"
    # every record twice (the file appended to itself): refused; was an estimate with exit 0
    pd.concat([data, data]).to_csv(p, index=False)
    with pytest.raises(FileFormatError, match=r"every record appears 2 times.*line 3002 repeats line 2.*"
                                              r"duplicates='keep'"):
        read(p)
    dropped = read(p, duplicates="drop", strata="strata", psu="psu")
    assert len(dropped.data) == 3000 and any("3000 record(s) repeating" in n for n in dropped.notes)
    kept = read(p, duplicates="keep")
    assert len(kept.data) == 6000 and not kept.checks
    # a block pasted twice
    pd.concat([data, data.iloc[100:200]]).to_csv(p, index=False)
    with pytest.raises(FileFormatError, match=r"100 consecutive records \(line 3002 to line 3101\) repeat "
                                              r"line 102 to line 201"):
        read(p)
    # a few scattered copies of identified records: read, and every estimate flags them
    pd.concat([data, data.iloc[[5, 900, 2000]]]).sample(frac=1, random_state=1).to_csv(p, index=False)
    s = read(p, strata="strata", psu="psu")
    assert "DUP" in s.checks and "ilo_key" in s.checks["DUP"]
    out = estimate(s, "unemployment_rate")
    assert "DUP" in out["flags"].iloc[0] and out.attrs["legend"]["DUP"] == s.checks["DUP"]
    # without an identifier, persons may answer alike: a note, no flag
    few = data[["ilo_wgt", "strata", "psu", "ilo_wap", "ilo_lfs"]]
    few.to_csv(p, index=False)
    s = read(p)
    assert not s.checks and any("two persons may answer alike" in n for n in s.notes)
    with pytest.raises(FileFormatError, match="duplicates='twice' is not known"):
        read(p, duplicates="twice")


def test_a_file_too_large_for_memory_is_refused_before_reading(tmp_path, monkeypatch):
    from evidencekit.microdata.checks import FileTooLargeError, estimate_memory

    p = tmp_path / "lfs.csv"
    big = pd.concat([FRAME] * 2000, ignore_index=True).reset_index()      # 8 000 records, ~0.25 MB
    big.to_csv(p, index=False)
    est = estimate_memory(p, "CSV")
    assert 1e6 < est.nbytes < 50e6 and "of 6 columns" in est.how
    monkeypatch.setenv("EVIDENCEKIT_MEMORY_LIMIT", "100KB")
    with pytest.raises(FileTooLargeError, match=r"lfs\.csv' \(0\.\d+ MB\): it would take about .* MB of memory once "
                                                r"read .* only 0\.1 MB is available \(EVIDENCEKIT_MEMORY_LIMIT=100KB\)"):
        read(p)
    pq = tmp_path / "lfs.parquet"
    big.to_parquet(pq)
    with pytest.raises(FileTooLargeError, match="Parquet metadata"):
        read(pq)
    monkeypatch.setenv("EVIDENCEKIT_MEMORY_LIMIT", "none")
    assert len(read(p).data) == 8000
    monkeypatch.setenv("EVIDENCEKIT_MEMORY_LIMIT", "lots")
    with pytest.raises(FileFormatError, match="is not an amount of memory"):
        read(p)


def test_memory_estimates_are_of_the_right_size(tmp_path):
    """The estimate is at least what reading takes (tracemalloc of pandas' own allocations), and not wildly more."""
    import tracemalloc

    from evidencekit.microdata.checks import estimate_memory
    from evidencekit.microdata.synthetic import load_sample

    data = load_sample().data
    p = tmp_path / "lfs.csv"
    data.to_csv(p, index=False)
    tracemalloc.start()
    read(p)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    est = estimate_memory(p, "CSV").nbytes
    assert peak < est < 6 * peak, (peak, est)
