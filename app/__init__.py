"""109 — the resident's app of a city contact centre (Flet client).

Layers, each a package: `screens` (Flet only, no logic) → `viewmodels` (plain Python state and
actions) → `repositories` (local-first data, SQLite via `store`) → `services` (HTTP API client).
`composition.build_session` wires one set of them per page session.
"""
