#!/usr/bin/env bash
# Set everything up and run the whole suite: lint, format, types, unit/API tests, browser e2e.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-system.sh
scripts/bootstrap.sh
. .venv/bin/activate
echo "== ruff check";        ruff check app backend_stub tests scripts bench
echo "== ruff format";       ruff format --check app backend_stub tests scripts bench
echo "== mypy";              mypy app backend_stub bench
echo "== pytest"
set +e
pytest "$@"
rc=$?
set -e
if [ "$rc" = 5 ]; then echo "pytest collected no tests: that is a failure" >&2; exit 1; fi
exit "$rc"
