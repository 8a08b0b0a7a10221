-- time.lua: server_ms() is the server's time (TIME) in ms, the clock of
-- the leases, of the schedules and of the dedup periods.
local function server_ms()
	local t = redis.call('TIME')
	return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
