-- lim_wait.lua: takes the next send time of the shared schedule
-- (Limiter.Wait), after charging the messages sent outside it; or, when
-- the chat's turn in its pace (pace.lua) is later or the next free send
-- time is beyond the horizon, takes nothing, so that a Slow finds few send
-- times taken ahead of it.
--
-- KEYS: lim:tat, lim:cut, lim:chat:<chat>
-- ARGV: the configured rate (messages/s), the recovery (ms), the messages
--       spent outside, the chat's pace: every (ms) and burst, the horizon
--       (ms)
-- Returns: the ms to wait before sending at the send time taken (≥ 0);
--       or -(the ms to wait before asking again), having taken nothing.
-- Uses: time, rate, pace
local tat_key, cut_key, chat_key = KEYS[1], KEYS[2], KEYS[3]
local configured, recover, spent = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local every, burst, horizon = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local now = server_ms()
local _, interval, tat = schedule(tat_key, cut_key, configured, recover, now)
tat = debit(tat, spent, interval, now)
local chat_at, chat_tat = chat_turn(chat_key, every, burst, now)
local chat_wait = chat_at - now
if (chat_wait > 0 and chat_wait > tat - now) or tat - now > horizon then
	redis.call('SET', tat_key, string.format('%.3f', tat), 'PX', 60000)
	return -math.max(1, math.ceil(chat_wait), math.ceil(tat - now - horizon))
end
redis.call('SET', tat_key, string.format('%.3f', tat + interval), 'PX', 60000)
take_chat(chat_key, chat_tat, math.max(now, tat), every, now)
return math.max(0, math.ceil(tat - now))
