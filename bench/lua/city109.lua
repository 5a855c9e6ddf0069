-- wrk script for the 109 backend (bench/wrk_load.py runs it; wrk 4 with LuaJIT, Debian `wrk`).
--
--   wrk -t THREADS ... -s bench/lua/city109.lua URL -- MODE PEOPLE RATE NONCE SUBCLASS THREADS
--
-- MODE      create  POST /api/v1/appeals, signed in, a unique Idempotency-Key (and client_id)
--                   per request
--           poll    GET /api/v1/sync at the resident's head with If-None-Match (answered 304)
--           get     GET of the URL's own path (the bare-framework ceiling, /health)
-- PEOPLE    a file of residents, one a line: "TOKEN CURSOR ETAG" (TOKEN "-" for none)
-- RATE      requests/s for the whole run, 0 = as fast as the connections go (closed loop).
--           With a rate, each thread hands out send times on a fixed grid (rate / threads per
--           second) and a connection waits for its slot (wrk 4's `delay`): an open-loop
--           schedule while connections are free; latency is measured from the send, so once
--           the server falls behind the grid the figures undercount queueing (no wrk2
--           coordinated-omission correction).
-- NONCE     makes this run's keys unique across runs on one database
-- SUBCLASS  the classifier subclass code the appeals are filed under
-- THREADS   wrk's -t again (a thread's share of RATE)
--
-- `done` prints one JSON line, "WRK-RESULT {...}": requests, seconds, latency percentiles
-- (microseconds), wrk's socket errors, answers by status, and 429/503 answers without
-- Retry-After.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } city109_timespec;
int clock_gettime(int clock_id, city109_timespec *tp);
]]
local clock = ffi.new("city109_timespec")

local function now_ms()
  ffi.C.clock_gettime(1, clock) -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end

-- main state: the threads, to gather their tallies in `done`
local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("id", thread_count)
  threads[thread_count] = thread
end

-- thread state
local mode, people, interval, next_slot, nonce, subclass
local counter = 0
statuses = {}
no_retry_after = 0

function init(args)
  mode, nonce, subclass = args[1], args[4] or "0", args[5] or "01.01"
  people = {}
  for line in io.lines(args[2]) do
    local token, cursor, etag = line:match("^(%S+) (%d+) (.*)$")
    if token then
      people[#people + 1] = { token = token, cursor = cursor, etag = etag }
    end
  end
  local rate = tonumber(args[3] or "0")
  if rate > 0 then
    interval = 1000.0 / (rate / tonumber(args[6] or "1"))
    next_slot = now_ms()
  end
end

local function headers_for(person)
  local h = {}
  if person.token ~= "-" then
    h["Authorization"] = "Bearer " .. person.token
  end
  return h
end

function request()
  counter = counter + 1
  local person = people[(counter + id) % #people + 1]
  local h = headers_for(person)
  if mode == "create" then
    local key = string.format("wrk-%s-%d-%d", nonce, id, counter)
    h["Idempotency-Key"] = key
    h["Content-Type"] = "application/json"
    local body = string.format(
      '{"client_id":"%s","text":"Нагрузочный тест: не горит фонарь во дворе, прошу проверить.",'
        .. '"type":"incident","subclass_code":"%s","lat":%.6f,"lon":%.6f,'
        .. '"address":"пр. Мәңгілік Ел, 8","language":"ru"}',
      key, subclass, 51.10 + math.random() * 0.08, 71.38 + math.random() * 0.12)
    return wrk.format("POST", "/api/v1/appeals", h, body)
  elseif mode == "poll" then
    h["If-None-Match"] = person.etag
    return wrk.format("GET", "/api/v1/sync?cursor=" .. person.cursor, h)
  end
  return wrk.format("GET", nil, h)
end

function delay()
  if not interval then
    return 0
  end
  local slot = next_slot
  next_slot = next_slot + interval
  local wait = slot - now_ms()
  return wait > 0 and wait or 0
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  -- header names come as the server wrote them (uvicorn: lower case)
  if (status == 503 or status == 429) and not (headers["Retry-After"] or headers["retry-after"]) then
    no_retry_after = no_retry_after + 1
  end
end

function done(summary, latency, requests)
  local by_status = {}
  local missing = 0
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      by_status[status] = (by_status[status] or 0) + n
    end
    missing = missing + thread:get("no_retry_after")
  end
  local parts = {}
  for status, n in pairs(by_status) do
    parts[#parts + 1] = string.format('"%d":%d', status, n)
  end
  local e = summary.errors
  io.write(string.format(
    'WRK-RESULT {"requests":%d,"seconds":%.3f,"p50":%d,"p95":%d,"p99":%d,"max":%d,'
      .. '"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},'
      .. '"statuses":{%s},"no_retry_after":%d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.timeout,
    table.concat(parts, ","), missing))
end
