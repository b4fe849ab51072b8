-- GET BENCH_PATH followed by each ID of the file BENCH_IDS in turn (one per
-- line), with the API key: retrieves spread over many rows, as a platform's
-- are, rather than one row asked for again and again.
local key = os.getenv("BENCH_KEY")
local path = os.getenv("BENCH_PATH")
local ids = {}
for line in io.lines(os.getenv("BENCH_IDS")) do
  ids[#ids + 1] = line
end
assert(#ids > 0, "BENCH_IDS lists no IDs")
local counter = 0

request = function()
  counter = counter + 1
  return wrk.format("GET", path .. ids[(counter % #ids) + 1], { ["Authorization"] = "Bearer " .. key })
end
