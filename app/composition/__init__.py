"""The composition root: everything one page session needs, built in one place.

`build_session(config)` is blocking (it opens and migrates the local database): call it from
`asyncio.to_thread`. It builds the session feature by feature (`core`, `appeals` with the sync
engine, `city_feeds`, `cabinet`), each builder getting what the ones before it made, so no object
is patched after it is built. `AppSession.start()` / `pause()` / `resume()` / `close()` own
every background task; screens get view models from the `AppSession` and start nothing.
"""

from app.composition.session import AppSession, build_session

__all__ = ["AppSession", "build_session"]
