"""``python -m evidencekit.cli`` runs the ``evidencekit`` command."""
import sys

from evidencekit.cli import main

sys.exit(main())
