"""Plain-Python rules of the regions area (no Django imports)."""
