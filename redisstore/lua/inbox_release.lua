-- inbox_release.lua: gives a lease up (Inbox.Release); the chat is ready
-- at once, its pending updates and outbox left to the next holder.
--
-- KEYS: lock:<chat>, ready, claim:<token>
-- ARGV: token, chat
-- Returns: 1 when the lease was given up, 0 when it was not held.
-- Uses: time, lease
local lock, ready, claim_key = KEYS[1], KEYS[2], KEYS[3]
local token, chat = ARGV[1], ARGV[2]
local now = server_ms()
redis.call('DEL', claim_key)
if not holds(lock, token, now) then return 0 end
redis.call('DEL', lock)
redis.call('ZADD', ready, 'XX', now, chat)
return 1
