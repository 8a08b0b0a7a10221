-- lim_debit.lua: charges messages sent outside the limiter, such as
-- replies, to the shared schedule (Limiter.Flush).
--
-- KEYS: lim:tat, lim:cut
-- ARGV: the configured rate (messages/s), the recovery (ms), the messages
--       spent
-- Returns: 1.
-- Uses: time, rate
local tat_key, cut_key = KEYS[1], KEYS[2]
local configured, recover, spent = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local now = server_ms()
local _, interval, tat = schedule(tat_key, cut_key, configured, recover, now)
redis.call('SET', tat_key, string.format('%.3f', debit(tat, spent, interval, now)), 'PX', 60000)
return 1
