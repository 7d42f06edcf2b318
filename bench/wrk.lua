-- One bench scenario for wrk: the request(s) to send, the status every answer
-- must have, and a JSON summary line for bench/run.py.
-- Environment: BENCH_METHOD, BENCH_PATHS (one path per line, sent in turn),
-- BENCH_BODY (for POST) or BENCH_BODIES (one per line, sent in turn), BENCH_COOKIE, BENCH_EXPECT (status), BENCH_ORIGIN,
-- BENCH_AUTHORIZATION (the API's token header), BENCH_CONTENT_TYPE.

local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
local expect = tonumber(os.getenv("BENCH_EXPECT") or "200")
local bodies = {}
for line in string.gmatch(os.getenv("BENCH_BODIES") or "", "[^\n]+") do
  bodies[#bodies + 1] = line
end
local paths = {}
for line in string.gmatch(os.getenv("BENCH_PATHS") or "/", "[^\n]+") do
  paths[#paths + 1] = line
end

local threads = {}
local counter = 0
unexpected = 0  -- global: done() reads it from each thread

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE") or ""
  -- Production sits behind a TLS proxy: the same settings, told it is HTTPS.
  wrk.headers["X-Forwarded-Proto"] = "https"
  wrk.headers["Origin"] = os.getenv("BENCH_ORIGIN")
  wrk.headers["Referer"] = os.getenv("BENCH_ORIGIN") .. "/"
  local authorization = os.getenv("BENCH_AUTHORIZATION")
  if authorization then
    wrk.headers["Authorization"] = authorization
  end
  if body or #bodies > 0 then
    wrk.headers["Content-Type"] = os.getenv("BENCH_CONTENT_TYPE")
      or "application/x-www-form-urlencoded"
  end
end

function request()
  counter = counter + 1
  local path = paths[(counter % #paths) + 1]
  -- "{n}" in a path or body makes every request different.
  local text = body and string.gsub(body, "{n}", tostring(counter)) or nil
  if #bodies > 0 then
    text = bodies[(counter % #bodies) + 1]
  end
  return wrk.format(method, (string.gsub(path, "{n}", tostring(counter))), nil, text)
end

function response(status, headers, answer)
  if status ~= expect then
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local wrong = 0
  for _, thread in ipairs(threads) do
    wrong = wrong + (thread:get("unexpected") or 0)
  end
  io.write(string.format(
    'BENCH {"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, '
      .. '"mean_ms": %.2f, "errors": %d, "timeouts": %d, "unexpected_status": %d}\n',
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.mean / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.status,
    summary.errors.timeout,
    wrong))
end
