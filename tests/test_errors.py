from evidencekit.errors import EvidenceKitError, InputError


def test_message_says_what_why_and_fix():
    err = InputError("Reading 'lfs.csv'", "column 'wgt' is missing", "pass weight='ilo_wgt'")
    assert str(err) == "Reading 'lfs.csv': column 'wgt' is missing. What to do: pass weight='ilo_wgt'."
    assert isinstance(err, EvidenceKitError) and isinstance(err, ValueError)
