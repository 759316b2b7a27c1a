"""The `evidencekit` command as a whole: messages in the command line's words, never a traceback.

(The ILOSTAT verbs: tests/ilostat/test_cli.py; estimate: tests/test_cli_estimate.py.)
"""
from __future__ import annotations

import subprocess
import sys

import pytest

from evidencekit import cli
from evidencekit.errors import InputError


def test_library_argument_names_become_options(capsys, monkeypatch):
    def fails(args, out):
        raise InputError("Reading 'lfs.csv'", "no weight was named", "pass weight='ilo_wgt', or data='x.dat'; "
                         "offline=True works; weight_total=1 stays")

    parser = cli.build_parser()
    monkeypatch.setattr(cli, "build_parser", lambda: parser)
    parser._subparsers._group_actions[0].choices["estimate"].set_defaults(func=fails)
    assert cli.main(["estimate"]) == 2
    err = capsys.readouterr().err
    assert "pass --weight ilo_wgt, or --data x.dat; --offline works; weight_total=1 stays" in err


def test_an_unexpected_failure_is_one_line_and_kept_in_a_file(capsys, monkeypatch):
    def bug(args, out):
        raise KeyError("boom")

    parser = cli.build_parser()
    monkeypatch.setattr(cli, "build_parser", lambda: parser)
    parser._subparsers._group_actions[0].choices["areas"].set_defaults(func=bug)
    assert cli.main(["areas"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and "KeyError" in err
    saved = err.split("saved in ")[1].split(";")[0]
    assert "Traceback" in open(saved).read()


@pytest.mark.parametrize("module", ["evidencekit", "evidencekit.cli"])
def test_python_dash_m_runs_the_command(module):
    done = subprocess.run([sys.executable, "-m", module, "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("evidencekit ")
