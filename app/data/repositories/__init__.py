"""Repositories: local-first data. They read and write the local store (off the event loop,
via `asyncio.to_thread`) and talk to the server through `services`."""
