"""Renderers: the JSON shape (`data`), rows for CSV/Markdown (`tables`), Rich tables (`terminal`)."""
