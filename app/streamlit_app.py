"""evidencekit workbench — the entry file. Run it with ``evidencekit app`` (or ``streamlit run
app/streamlit_app.py``).

The frame and the navigation are in ``ui/shell.py`` (compiled once, as an imported module); pages are the
files in ``app_pages/`` and one page per course module, drawn from ``exercises/`` by generic code
(``ui/module.py``). The app only draws what the ``evidencekit`` library returns.
"""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # the ui package beside this file (streamlit run adds it; AppTest may not)
    sys.path.insert(0, str(HERE))

from ui import shell  # noqa: E402

shell.main()
