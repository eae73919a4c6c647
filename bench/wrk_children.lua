-- wrk script: GET a random child from CHILD_IDS_FILE under PATH_PREFIX, with an optional bearer token,
-- and print throughput and latency percentiles (p50, p95, p99) as one JSON line.
local ids = {}
local prefix = os.getenv("PATH_PREFIX")
local token = os.getenv("API_TOKEN")
for line in io.lines(os.getenv("CHILD_IDS_FILE")) do ids[#ids + 1] = line end

request = function()
  local headers = {}
  if token and token ~= "" then headers["Authorization"] = "Bearer " .. token end
  return wrk.format("GET", prefix .. ids[math.random(#ids)], headers)
end

done = function(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "rps": %.1f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, "errors": %d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    errors))
end
