"""The one reader of ILOSTAT's formats (docs/ilostat.md, "Formats")."""
from __future__ import annotations

import gzip

import pytest

from evidencekit.ilostat.errors import DamagedAnswerError, NetworkError
from evidencekit.ilostat.formats import FormatError, read_csv, read_data_answer, read_records

HEAD = b'"ref_area","indicator","time","obs_value"\n'


def test_text_is_kept_as_text_and_empty_cells_are_missing():
    df = read_csv(b"\xef\xbb\xbf" + HEAD + b'"NA","X_Y","2021", 1.50 \n"PHL","X_Y","2022",\n')
    assert df.values.tolist()[0] == ["NA", "X_Y", "2021", "1.50"] and df["obs_value"].isna().tolist() == [False, True]
    assert read_csv(gzip.compress(HEAD + b'"PHL","X_Y","2021",1\n')).shape == (1, 4)   # a .csv.gz served as it is


@pytest.mark.parametrize("body, needle", [
    (HEAD + b'"PHL","X_Y","2021",1\n"IDN","X_Y"\n', "line 3 has 2 fields where the header has 4"),
    (HEAD + b'"PHL","X_Y","2021",1,"extra"\n', "line 2 has 5 fields"),
    (HEAD + b'"PHL","X_Y","2021",1\n"IDN","X_Y","20', "line 3 has 3 fields"),
    (b'"a","a"\n1,2\n', "repeats a column name"),
    (b"", "it is empty"),
])
def test_rows_that_are_not_whole_are_refused_with_their_line(body, needle):
    with pytest.raises(FormatError, match=needle):
        read_csv(body, "the answer")


def test_a_data_answer_must_be_whole_and_be_data():
    read_data_answer(HEAD + b'"PHL","X_Y","2021",1\n', "u")
    with pytest.raises(DamagedAnswerError, match="does not end with a line break"):
        read_data_answer(HEAD + b'"PHL","X_Y","2021",1.2', "u")        # cut inside its last value
    with pytest.raises(DamagedAnswerError, match="line 3 has 2 fields"):
        read_data_answer(HEAD + b'"PHL","X_Y","2021",1\n"IDN","X_Y"\n', "u")
    with pytest.raises(NetworkError, match="not ILOSTAT data"):
        read_data_answer(b'{"error": "busy"}', "u")


def test_a_catalogue_answer_must_be_a_list_of_records():
    assert read_records(b'[{"id": "X_A"}]', "u", "the catalogue") == [{"id": "X_A"}]
    for body in (b"[]", b'{"error": 1}', b'[{"id": "X_A"'):
        with pytest.raises(FormatError, match="is not the catalogue"):
            read_records(body, "u", "the catalogue")
