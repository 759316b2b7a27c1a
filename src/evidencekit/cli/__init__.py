"""The ``evidencekit`` command: search and download ILOSTAT data, manage the offline snapshot and the cache,
and estimate decent-work indicators (with confidence intervals) from survey microdata.

One module per group of sub-commands (:mod:`~evidencekit.cli.ilostat`, :mod:`~evidencekit.cli.estimate`), each
with a ``register(sub, missing)`` that adds its parsers; this module assembles them and runs one. Commands are
thin: they parse, call the library, print. Every evidencekit error is printed as one line on stderr (exit
code 2), never as a traceback. ``--out`` files are written by :func:`evidencekit.export.write` (formula-safe,
with the citation).

>>> build_parser().prog
'evidencekit'
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import traceback
import warnings
from typing import Sequence

from evidencekit.cli import common
from evidencekit.errors import EvidenceKitError

EXAMPLES = """\
examples:
  evidencekit search unemployment
  evidencekit search "youth neet" --limit 5
  evidencekit get SDG_0852_SEX_AGE_RT_A --ref-area PHL --out phl.csv
  evidencekit get SDG_0852_SEX_AGE_RT_A --ref-area IDN PHL --sex SEX_T --start 2015 --end 2024 --labels
  evidencekit areas --group ASEAN
  evidencekit snapshot build --from ilostat-files/ --out my-snapshot
  evidencekit snapshot info
  evidencekit cache clear
  evidencekit estimate --list
  evidencekit estimate unemployment_rate youth_neet_rate --by ilo_sex
  evidencekit estimate unemployment_rate --file LFS_PUF_November_2022.dcf --mapping psa_lfs_puf --by ilo_sex
  evidencekit chart line SDG_0852_SEX_AGE_RT_A --ref-area IDN PHL --sex T --classif1 AGE_YTHADULT_Y15-24 --out u.png
  evidencekit brief new brief.json --title "Youth jobs" --audience "Adviser to the Minister of Labour"
  evidencekit brief build brief.json --out brief.docx
  evidencekit course check exercises/
  evidencekit app --offline

Works without network: answers come from ILOSTAT when it can be reached, else from the local cache,
else from the offline snapshot embedded in the package; every answer says which. --offline (or
EVIDENCEKIT_OFFLINE=1) never touches the network. EVIDENCEKIT_ILOSTAT_URL and EVIDENCEKIT_CACHE_DIR
change the ILOSTAT address and the cache folder.
"""


def build_parser() -> argparse.ArgumentParser:
    from evidencekit import __version__
    from evidencekit.cli import app, brief, chart, course, estimate, ilostat, mapping

    p = argparse.ArgumentParser(
        prog="evidencekit", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EXAMPLES,
        description="Evidence workbench for decent-work policy: ILOSTAT data with citations, online or offline.")
    p.add_argument("--version", action="version", version=f"evidencekit {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for module in (ilostat, estimate, mapping, chart, brief, course, app):
        module.register(sub, _missing)
    return p


def _missing(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _one_line_warnings(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"note: {common.cli_words(str(message))}", file=sys.stderr)


def _internal_error(err: BaseException) -> int:
    """An unexpected failure (a bug): one line for the user, the traceback kept in a file for the report."""
    where = ""
    try:
        fd, path = tempfile.mkstemp(prefix="evidencekit-error-", suffix=".txt")
        with os.fdopen(fd, "w") as fh:
            traceback.print_exception(err, file=fh)
        where = f" The details are saved in {path}; please send that file with your report."
    except OSError:
        pass
    print(f"error: evidencekit met an unexpected problem ({type(err).__name__}: {str(err)[:200]}). "
          f"Nothing was changed.{where}", file=sys.stderr)
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; return the exit code (0 ok, 2 a user-facing error, 130 interrupted)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    common.use_options(parser)
    previous = warnings.showwarning
    warnings.showwarning = _one_line_warnings
    try:
        return int(args.func(args, sys.stdout) or 0)
    except EvidenceKitError as err:
        print(f"error: {common.cli_words(str(err))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and closed: not an error
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return 0
    except Exception as err:  # a bug: never a traceback on the participant's screen
        return _internal_error(err)
    finally:
        warnings.showwarning = previous
