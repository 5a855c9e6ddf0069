"""Presenters: what the API answers, built from stored rows (response models and sync-feed rows).

crud queries and writes and returns models; a presenter turns them into what a client sees.
`sync` is the one registry of sync-feed loaders.
"""
