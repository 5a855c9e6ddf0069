"""Small database functions, one module per kind of record. Routers stay thin."""
