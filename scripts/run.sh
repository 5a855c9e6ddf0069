#!/usr/bin/env bash
# Set everything up, start the backend (SQLite, demo data, autopilot) and open the app.
# The app opens a desktop window where the Flet desktop client is available, otherwise it is
# served to the browser (the URL is printed). Ctrl+C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
API_PORT=${API_PORT:-8109}
APP_PORT=${APP_PORT:-8550}
DATA=${DATA_DIR:-./data}
mkdir -p "$DATA"
.venv/bin/python -m backend_stub --host 127.0.0.1 --port "$API_PORT" --data-dir "$DATA/server" \
  --demo --autopilot "${AUTOPILOT_S:-30}" &
backend=$!
trap 'kill $backend 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 1 50); do
  .venv/bin/python -c "import httpx,sys; httpx.get(sys.argv[1]).raise_for_status()" \
    "http://127.0.0.1:$API_PORT/health" >/dev/null 2>&1 && break
  sleep 0.2
done
echo "Backend:  http://127.0.0.1:$API_PORT  (API docs /docs, operator console /console," \
  "password 'operator'; SMS codes at /dev/sms?phone=...)"
.venv/bin/python -m app --port "$APP_PORT" --api-url "http://127.0.0.1:$API_PORT" \
  --data-dir "$DATA/app" "$@"
