"""The Erqi district demo dataset."""
