"""Regions, grid cells, patrol areas, roads and compounds; the locator and coordinate systems."""
