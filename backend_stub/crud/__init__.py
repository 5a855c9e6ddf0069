"""Database functions, one module per kind of record: they query and write, and return models.

The rule for commits: **the caller commits; crud adds and flushes.** A router (or a console page,
the demo seeder, a background worker) opens the unit of work, calls crud, and commits once at
its end, so a request's writes and its sync-feed rows land together or not at all. A crud
function may flush (to get ids, to see its own writes) but does not commit. Two exceptions,
named where they happen: a write that must outlive the error the caller is about to raise (a
counted wrong OTP, a revoked session: `otp`, `sessions`), and a unit of work decided by a
unique constraint (`idempotency.run_once`, `emergency.request_forward`).

The rule for shapes: crud returns models, never response schemas; `presenters/` builds what
clients see (response models and sync-feed rows). New and changed crud functions take every
argument after `db` by keyword.

Where the code does not follow these rules yet (see docs/ARCHITECTURE.md, "Not done yet"):
`media`, `places.seed_places` and `notices.seed_notices` still commit; alerts, appeals, chat,
emergency, notices, places, polls and users still build responses (`*_out`, `sync_rows`).
`initiatives` and `proposals` follow the pattern: no commit, their responses and sync rows in
`presenters/initiatives.py` and `presenters/proposals.py`.
"""
