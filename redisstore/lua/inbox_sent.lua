-- inbox_sent.lua: records how many entries of the outbox are done, takes
-- the turn of the next one and renews the lease (Inbox.Sent).
--
-- KEYS: lock:<chat>, ready, sent:<chat>, claim:<token>, try:<chat>,
--       lim:chat:<chat>, lim:reply, turn:<chat>
-- ARGV: token, lease (ms), chat, n (the entries done), the pace: every
--       (ms; 0 for none), burst, ceiling (messages/s), recover (ms),
--       horizon (ms)
-- Returns: {the wait for entry n's turn (ms), 1 if the turn was taken
--       else 0}, or -1 without the lease.
-- Uses: time, lease, pace
local lock, ready, sent, claim_key, try_key, chat_key, reply_key, turn_key = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local token, lease, chat, n = ARGV[1], tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
local pace = {every = tonumber(ARGV[5]), burst = tonumber(ARGV[6]), ceiling = tonumber(ARGV[7]), recover = tonumber(ARGV[8]), horizon = tonumber(ARGV[9])}
local now = server_ms()
if not holds(lock, token, now) then return -1 end
if n > 0 then
	redis.call('DEL', claim_key, turn_key, try_key)
else
	redis.call('DEL', claim_key, turn_key)
end
redis.call('SET', sent, n)
renew(lock, ready, chat, token, lease, now)
local wait, taken = turn(chat_key, reply_key, turn_key, pace, now)
return {wait, taken and 1 or 0}
