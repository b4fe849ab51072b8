-- GET one path with the API key.
local key = os.getenv("BENCH_KEY")
local path = os.getenv("BENCH_PATH")

request = function()
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. key })
end
