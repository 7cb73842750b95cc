-- wrk script: POST /api/commands with manual stock updates (`add 1`) spread
-- over the 30 demo products. Each is a durable change: answered only after
-- the group it was committed in is on disk (synchronous=FULL).
-- Usage: TOKEN=sb_... wrk -t2 -c50 -d20s --latency -s stock-updates.lua http://127.0.0.1:PORT
local token = os.getenv("TOKEN") or error("set TOKEN to a token with inventory.write")
local counter = 0
local errors = 0

request = function()
  counter = counter + 1
  local product = (counter % 30) + 1
  local body = '{"cmd":"update_stock","args":{"product_id":' .. product ..
    ',"operation":"add","quantity":1,"reason":"wrk"}}'
  return wrk.format("POST", "/api/commands", {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
  }, body)
end

response = function(status, headers, body)
  if status ~= 200 then
    errors = errors + 1
    if errors <= 3 then io.stderr:write("status " .. status .. ": " .. body .. "\n") end
  end
end
