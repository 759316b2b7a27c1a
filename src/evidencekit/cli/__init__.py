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
import re
import sys
import tempfile
import traceback
import warnings
from typing import Sequence

from evidencekit.errors import EvidenceKitError

EXAMPLES = """\
examples:
  evidencekit search unemployment
  evidencekit search "youth neet" --limit 5
  evidencekit get SDG_0852_SEX_AGE_RT_A --ref-area PHL --out phl.csv
  evidencekit get SDG_0852_SEX_AGE_RT_A --ref-area IDN PHL --sex SEX_T --start 2015 --end 2024 --labels
  evidencekit areas
  evidencekit snapshot build --from ../shared/data/ilostat
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
    from evidencekit.cli import app, brief, chart, course, estimate, ilostat

    p = argparse.ArgumentParser(
        prog="evidencekit", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EXAMPLES,
        description="Evidence workbench for decent-work policy: ILOSTAT data with citations, online or offline.")
    p.add_argument("--version", action="version", version=f"evidencekit {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for module in (ilostat, estimate, chart, brief, course, app):
        module.register(sub, _missing)
    return p


def _missing(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def options_of(parser: argparse.ArgumentParser) -> dict[str, str]:
    """Every option of ``parser`` and its sub-commands, by the Python name the library uses (``dest``).

    >>> options_of(build_parser())["ref_area"], options_of(build_parser())["offline"]
    ('--ref-area', '--offline')
    """
    found: dict[str, str] = {}
    stack = [parser]
    while stack:
        p = stack.pop()
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                stack.extend(action.choices.values())
            elif action.option_strings and action.dest not in ("help", "version"):
                longest = max(action.option_strings, key=len)
                found.setdefault(action.dest, longest)
    return found


_VALUE = r"""(?:'([^']*)'|"([^"]*)"|\[([^\]]*)\]|([^\s,;()]+))"""


def cli_words(text: str, options: dict[str, str]) -> str:
    """A library message in the command line's words: ``weight='ilo_wgt'`` -> ``--weight ilo_wgt``,
    ``offline=True`` -> ``--offline``, ``ref_area=['PHL', 'IDN']`` -> ``--ref-area PHL IDN``.

    >>> cli_words("pass weight='ilo_wgt', or set offline=True; ref_area=['PHL', 'IDN']",
    ...           {"weight": "--weight", "offline": "--offline", "ref_area": "--ref-area"})
    'pass --weight ilo_wgt, or set --offline; --ref-area PHL IDN'
    """
    if not options:
        return text
    names = "|".join(re.escape(n) for n in sorted(options, key=len, reverse=True))

    def repl(m: re.Match) -> str:
        flag = options[m.group(1)]
        quoted1, quoted2, listed, bare = m.group(2), m.group(3), m.group(4), m.group(5)
        if bare in ("True",):
            return flag
        if listed is not None:
            items = [s.strip().strip("'\"") for s in listed.split(",") if s.strip()]
            return " ".join([flag, *items])
        value = next(v for v in (quoted1, quoted2, bare) if v is not None)
        return f"{flag} {value}" if value else flag

    return re.sub(rf"(?<![\w.-])({names})={_VALUE}", repl, text)


def _one_line_warnings(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"note: {cli_words(str(message), _OPTIONS)}", file=sys.stderr)


_OPTIONS: dict[str, str] = {}


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
    _OPTIONS.clear()
    _OPTIONS.update(options_of(parser))
    previous = warnings.showwarning
    warnings.showwarning = _one_line_warnings
    try:
        return int(args.func(args, sys.stdout) or 0)
    except EvidenceKitError as err:
        print(f"error: {cli_words(str(err), _OPTIONS)}", file=sys.stderr)
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
