"""Plain-Python rules of the vision area (no Django imports)."""
