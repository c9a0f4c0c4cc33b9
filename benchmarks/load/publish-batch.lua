-- Batches of BATCH events (default 100) per request: POST /api/v1/streams/bench with a JSON array.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local batch = tonumber(os.getenv("BATCH") or "100")
local bodies = {}

init = function(args)
  -- A few prebuilt bodies per thread: generating JSON in Lua would cost more than the server's work.
  for b = 1, 16 do
    local events = {}
    for i = 1, batch do
      events[i] = string.format('{"id":%d,"user":"user-%d","amount":%d.5,"sent_at":0}', b * batch + i, i % 1000, i % 100)
    end
    bodies[b] = "[" .. table.concat(events, ",") .. "]"
  end
end

local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, "/api/v1/streams/bench", nil, bodies[(n % 16) + 1])
end

done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format("requests/s: %.0f, events/s: %.0f (batches of %d)\n",
    summary.requests / seconds, summary.requests * batch / seconds, batch))
  io.write(string.format("latency p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
  io.write(string.format("non-2xx responses: %d, socket errors: connect %d read %d write %d timeout %d\n",
    summary.errors.status, summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
end
