-- wrk script for benches/http.sh: requests every "host path" line of $TARGETS in turn.
local targets = {}
for line in io.lines(os.getenv("TARGETS")) do
  local host, path = line:match("^(%S+) (%S+)$")
  if host then targets[#targets + 1] = { host, path } end
end
local i = 0

request = function()
  i = i % #targets + 1
  local t = targets[i]
  return wrk.format("GET", t[2], { ["Host"] = t[1], ["Accept-Encoding"] = "gzip" })
end
