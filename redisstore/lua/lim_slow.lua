-- lim_slow.lua: after a 429 (Limiter.Slow), broadcasts stop for
-- retry_after and their rate in force is halved (to no less than 1/s);
-- replies are held to half their rate in force (pace.lua's cut_replies).
-- A 429 within retry_after and a second of the last cut counts with it.
--
-- KEYS: lim:tat, lim:cut, lim:reply
-- ARGV: the configured rate (messages/s), the recovery (ms), retry_after
--       (ms), the replies' ceiling (messages/s)
-- Returns: 1.
-- Uses: time, rate, pace
local tat_key, cut_key, reply_key = KEYS[1], KEYS[2], KEYS[3]
local configured, recover, retry_after, ceiling = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local now = server_ms()
local rate, _, tat = schedule(tat_key, cut_key, configured, recover, now)
local cut_at = tonumber(redis.call('HGET', cut_key, 'at') or '0') or 0
if now - cut_at >= 1000 + retry_after then
	redis.call('HSET', cut_key, 'rate', string.format('%.3f', math.max(1, rate / 2)), 'at', now)
	redis.call('PEXPIRE', cut_key, math.ceil(recover + 1000 + retry_after))
end
tat = math.max(tat, now + retry_after)
redis.call('SET', tat_key, string.format('%.3f', tat), 'PX', 60000 + retry_after)
cut_replies(reply_key, ceiling, recover, retry_after, now)
return 1
