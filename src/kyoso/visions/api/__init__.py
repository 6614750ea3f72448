"""REST API of the regional vision (mounted under /api/v1/ by ``kyoso.api.urls``)."""
