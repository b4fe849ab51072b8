-- GET BENCH_PATH followed by each line of the file BENCH_IDS in turn (an ID,
-- or a whole path after an empty BENCH_PATH), with the API key: requests
-- spread over many rows, as real ones are, rather than one row asked for
-- again and again.
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
