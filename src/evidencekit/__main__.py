"""``python -m evidencekit`` runs the ``evidencekit`` command (the same as the installed script)."""
import sys

from evidencekit.cli import main

sys.exit(main())
