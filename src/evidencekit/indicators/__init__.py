"""evidencekit.indicators (being built)."""
