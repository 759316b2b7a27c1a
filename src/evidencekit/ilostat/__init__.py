"""evidencekit.ilostat (being built)."""
