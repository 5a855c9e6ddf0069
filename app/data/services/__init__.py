"""Services: pure adapters to the outside world (HTTP API clients, the push stream, camera,
picker, geocoding and address search over Nominatim, location, notifier, media). They never
import repositories or the store."""
