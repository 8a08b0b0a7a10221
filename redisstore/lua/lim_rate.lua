-- lim_rate.lua: the rate in force (Limiter.CurrentRate).
--
-- KEYS: lim:tat, lim:cut
-- ARGV: the configured rate (messages/s), the recovery (ms)
-- Returns: the rate, messages/s, as a decimal string.
-- Uses: time, rate
local tat_key, cut_key = KEYS[1], KEYS[2]
local configured, recover = tonumber(ARGV[1]), tonumber(ARGV[2])
local rate = schedule(tat_key, cut_key, configured, recover, server_ms())
return string.format('%.3f', rate)
