"""Plain-Python rules of the venue area (no Django imports)."""
