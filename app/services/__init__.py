"""Services: the HTTP API client and, later, sync engine, location, camera, notifications, media."""
