"""Civicloop: the closed loops of a Chinese district's city governance."""
