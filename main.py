"""The app's entry point for `flet run` and `flet build apk|ipa` (`[tool.flet.app] module =
"main"` in pyproject.toml).

flet-cli requires the entry point to be a file at the root of the app directory, and a built
app starts it with `runpy.run_module("main", run_name="__main__")`; a root `app.py` is not
possible beside the `app/` package (the package would shadow it). The page session itself is
`app.main.main`; `python -m app` (the launcher) starts the same one.
"""

import flet as ft

from app.main import main

if __name__ == "__main__":
    ft.run(main)
