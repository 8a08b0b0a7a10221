-- inbox_defer.lua: gives a lease up (Inbox.Defer, Inbox.Release),
-- recording how many entries of the outbox are done: the chat is ready
-- again after a delay, its outbox and pending updates left to the next
-- holder.
--
-- KEYS: lock:<chat>, ready, sent:<chat>, claim:<token>, turn:<chat>,
--       try:<chat>
-- ARGV: token, chat, n (the entries done), the delay (ms), the cause:
--       "turn" (entry n waits for its turn: the one taken, if any, is kept
--       for the next holder), "flood" (entry n was not sent), "failure"
--       (entry n failed: counted) or "release" (a turn taken is kept)
-- Returns: 1 when the lease was given up, 0 when it was not held.
-- Uses: time, lease
local lock, ready, sent, claim_key, turn_key, try_key = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local token, chat, n, delay, cause = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
local now = server_ms()
redis.call('DEL', claim_key)
if not holds(lock, token, now) then return 0 end
redis.call('DEL', lock)
redis.call('SET', sent, n)
if n > 0 then redis.call('DEL', try_key) end
if cause == 'flood' or cause == 'failure' then redis.call('DEL', turn_key) end
if cause == 'failure' then
	redis.call('HINCRBY', try_key, 'tries', 1)
	redis.call('HSETNX', try_key, 'since', now)
	redis.call('PEXPIRE', try_key, 86400000)
end
redis.call('ZADD', ready, now + delay, chat)
return 1
