"""Database functions, one module per kind of record: they query and write, and return models.

The rule for commits: **the caller commits; crud adds and flushes.** A router (or a console page,
the demo seeder, a background worker) opens the unit of work, calls crud, and commits once at
its end, so a request's writes and its sync-feed rows land together or not at all. A crud
function may flush (to get ids, to see its own writes) but does not commit. Two exceptions,
named where they happen:
- a write that must outlive the error the caller is about to raise: a counted wrong OTP, a
  revoked session (`otp`, `sessions`), a rejected upload (`uploads.finish_upload`);
- a unit of work decided by a unique constraint or a conditional update:
  `idempotency.run_once`, `emergency.request_forward`, a stored file's row (`media.ingest`,
  with an upload's conditional `media_id`: the file is on disk, outside the transaction, and
  is removed when its row does not commit) and the one-writer claim of a resumable upload
  (`uploads.claim_upload`, `holds_claim`, `advance_offset`, `release_upload`: a PATCH streams
  for long and holds no transaction open).

The rule for shapes: crud returns models (or plain values), never response schemas;
`presenters/` builds what clients see (response models and sync-feed rows). crud still takes
the request shapes (`*In`) it checks, and the vocabulary of `schemas` (literals, states).
Every crud function takes its arguments after `db` by keyword (`def f(db, *, ...)`); the few
pure helpers (no session) take theirs as they like.

Modules: one per kind of record; `alert_targeting` is who gets an alert (whereabouts, reasons,
the last known position), `uploads` the resumable (tus) uploads over `media`, `open311` appeals
as Open311 requests, `appeal_search` appeals as the operator's console finds them (filters,
counts by status), `records` what every kind shares (`by_key`, `get_or_404`, `newest_first`
paging, `counts_by`). `tests/backend/test_layers.py` keeps these rules.
"""
