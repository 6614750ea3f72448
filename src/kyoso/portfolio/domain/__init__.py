"""Plain-Python rules of the joint-research portfolio (no Django imports)."""
