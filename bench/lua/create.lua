-- POST a new session with a unique Idempotency-Key per request.
local key = os.getenv("BENCH_KEY")
local body = string.format('{"program_id":"%s","redirect_url":"https://platform.example.com/onboarded?ref=42"}',
  os.getenv("BENCH_PROGRAM"))
local counter = 0
local run = tostring(os.time()) .. "-" .. tostring(math.random(1000000000))

request = function()
  counter = counter + 1
  return wrk.format("POST", "/entity_onboarding_sessions", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. key,
    ["Idempotency-Key"] = "bench-" .. run .. "-" .. counter,
  }, body)
end
