"""Plain data the client's layers pass between them (no Flet, no SQL, no HTTP)."""
