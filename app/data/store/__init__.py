"""The local store: one SQLite file (WAL) in the app's private data dir, with a versioned schema.

`open_database(path)` opens (and migrates) it; `models` holds the SQLModel tables;
`migrations` the ordered schema steps.
"""

from app.data.store.database import Database, open_database
from app.data.store.migrations import SchemaTooNewError

__all__ = ["Database", "SchemaTooNewError", "open_database"]
