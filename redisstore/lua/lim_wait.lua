-- lim_wait.lua: takes the next send time of the shared schedule
-- (Limiter.Wait), after charging the messages sent outside it; or, when
-- the chat had a message too recently or the next free send time is
-- beyond the horizon, takes nothing, so that a Slow finds few send times
-- taken ahead of it.
--
-- KEYS: lim:tat, lim:cut, lim:chat:<chat>
-- ARGV: the configured rate (messages/s), the recovery (ms), the messages
--       spent outside, the per-chat interval (ms), the horizon (ms)
-- Returns: the ms to wait before sending at the send time taken (≥ 0);
--       or -(the ms to wait before asking again), having taken nothing.
-- Uses: time, rate
local tat_key, cut_key, chat_key = KEYS[1], KEYS[2], KEYS[3]
local configured, recover, spent = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local per_chat, horizon = tonumber(ARGV[4]), tonumber(ARGV[5])
local now = server_ms()
local _, interval, tat = schedule(tat_key, cut_key, configured, recover, now)
tat = debit(tat, spent, interval, now)
local chat_wait = redis.call('PTTL', chat_key)
if (chat_wait > 0 and chat_wait > tat - now) or tat - now > horizon then
	redis.call('SET', tat_key, string.format('%.3f', tat), 'PX', 60000)
	return -math.max(1, math.max(chat_wait, math.ceil(tat - now - horizon)))
end
redis.call('SET', tat_key, string.format('%.3f', tat + interval), 'PX', 60000)
redis.call('SET', chat_key, '1', 'PX', math.max(0, math.ceil(tat - now)) + per_chat)
return math.max(0, math.ceil(tat - now))
