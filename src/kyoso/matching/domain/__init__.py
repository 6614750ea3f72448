"""Seeds–needs matching: pure-Python ranking (no Django imports)."""
