"""The 109 contact centre's backend stub: a small but real FastAPI service."""
