"""A minimal app for the registry tests: it declares one of everything in its manifest and nothing else."""
