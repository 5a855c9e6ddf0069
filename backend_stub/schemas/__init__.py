"""Request and response shapes of the HTTP API (pydantic), one module per area."""
