-- inbox_sent.lua: records how many entries of the outbox were sent, and
-- renews the lease (Inbox.Sent).
--
-- KEYS: lock:<chat>, ready, sent:<chat>, claim:<token>
-- ARGV: token, lease (ms), chat, n (the entries sent)
-- Returns: 1, or -1 without the lease.
-- Uses: time, lease
local lock, ready, sent, claim_key = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local token, lease, chat, n = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local now = server_ms()
if not holds(lock, token, now) then return -1 end
redis.call('DEL', claim_key)
redis.call('SET', sent, n)
renew(lock, ready, chat, token, lease, now)
return 1
