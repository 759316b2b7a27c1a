"""evidencekit.microdata: read survey files into a :class:`Survey` and harmonise them to ILO variables.

Reading, the checks made on every file and the survey's provenance: ``docs/microdata.md``; mapping a national
survey: ``docs/mappings.md``.

>>> import evidencekit as ek
>>> s = ek.microdata.read("puf.dcf", mapping="psa_lfs_puf")   # doctest: +SKIP
>>> s.design_summary()                                         # doctest: +SKIP
"""
from __future__ import annotations

from evidencekit.microdata.checks import DuplicateRecordsError, FileTooLargeError
from evidencekit.microdata.cspro import read_cspro, read_dictionary, read_records
from evidencekit.microdata.errors import (
    ColumnError,
    DataTypeError,
    DictionaryMismatchError,
    FileFormatError,
    MappingError,
    MissingFileError,
)
from evidencekit.microdata.mapping import Mapping, apply_mapping, list_mappings, load_mapping, save_mapping
from evidencekit.microdata.readers import read
from evidencekit.microdata.survey import Survey

__all__ = [
    "read", "Survey", "Mapping", "load_mapping", "save_mapping", "apply_mapping", "list_mappings",
    "read_cspro", "read_dictionary", "read_records", "synthetic",
    "FileFormatError", "MissingFileError", "ColumnError", "DataTypeError", "DictionaryMismatchError", "MappingError",
    "FileTooLargeError", "DuplicateRecordsError",
]


def __getattr__(name: str):
    """``evidencekit.microdata.synthetic`` (the SYNTHETIC training survey) is imported on first use, so that
    ``python -m evidencekit.microdata.synthetic`` runs it cleanly as a script."""
    if name == "synthetic":
        import importlib

        return importlib.import_module("evidencekit.microdata.synthetic")
    raise AttributeError(f"module 'evidencekit.microdata' has no attribute {name!r}")
