"""REST API of seeds–needs matching (mounted under /api/v1/ by ``kyoso.api.urls``)."""
