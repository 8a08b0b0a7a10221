-- rate.lua: the shared schedule of the broadcast limiter.
--
-- schedule(tat_key, cut_key, configured, recover, now) returns the rate in
-- force (messages/s): the configured one, or the one cut after a 429
-- climbing back to it over recover ms; the interval between two send
-- times (ms); and the next free send time (ms), no earlier than half an
-- interval (at most 20 ms) ago, so that a send time missed is made up for
-- but no more.
local function schedule(tat_key, cut_key, configured, recover, now)
	local rate = configured
	local cut = redis.call('HMGET', cut_key, 'rate', 'at')
	local cut_rate, cut_at = tonumber(cut[1]), tonumber(cut[2])
	if cut_rate and cut_at then
		local f = (now - cut_at) / recover
		if f < 1 then rate = math.min(configured, cut_rate + (configured - cut_rate) * math.max(f, 0)) end
	end
	local interval = 1000 / rate
	local tat = tonumber(redis.call('GET', tat_key) or '0') or 0
	local lag = math.min(interval / 2, 20)
	if tat < now - lag then tat = now - lag end
	return rate, interval, tat
end

-- debit returns tat charged with spent messages sent outside the limiter,
-- within a second from now.
local function debit(tat, spent, interval, now)
	if spent > 0 then tat = math.max(tat, math.min(tat + spent * interval, now + 1000)) end
	return tat
end
