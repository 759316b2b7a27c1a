"""evidencekit.microdata (being built)."""
