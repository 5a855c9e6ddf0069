"""109 — the resident's app of a city contact centre (Flet client).

Layers, each a package (the map: docs/ARCHITECTURE.md): `ui` (Flet only, no logic) →
`viewmodels` (plain Python state and actions) → `sync` (the one sync engine and the city feeds)
→ `data.repositories` (local-first data) → `data.store` (SQLite) and `data.services` (pure
adapters: HTTP, location, camera, notifications…) → `domain` (plain data and rules).
`composition.build_session` wires one set of them per page session.
"""
