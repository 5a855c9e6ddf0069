"""Presenters: what the API answers, built from stored rows (response models and sync-feed rows).

crud queries and writes and returns models; a presenter turns them into what a client sees.
`sync` is the one registry of sync-feed loaders; `idempotent.answer_once` the answer of a
retry-safe write (once per Idempotency-Key); `open311` the Open311 GeoReport v2 shapes
(services, attributes, requests public or full via `disclosure`, W3C times, Open311 texts, the
error shape).
"""
