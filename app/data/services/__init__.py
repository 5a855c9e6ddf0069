"""Services: pure adapters to the outside world (HTTP API clients, the push stream, camera,
picker, geocoding, location, notifier, media). They never import repositories or the store."""
