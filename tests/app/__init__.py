"""Tests of the workbench (app/): AppTest for every page and step, one browser flow, the launcher."""
