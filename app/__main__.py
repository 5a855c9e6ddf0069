"""`python -m app [--web] [--port P] [--api-url URL] [--data-dir DIR]`."""

from app.launcher import main

if __name__ == "__main__":
    main()
