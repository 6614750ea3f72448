"""REST API of the joint-research portfolio: projects, commitments and provision, outputs, reports, reviews."""
