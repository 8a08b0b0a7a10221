-- bc_retry.lua: gives a claimed recipient back, to be claimed again after
-- a delay (Broadcasts.Retry).
--
-- KEYS: bc:<id>:todo, bc:<id>:lease, bc:<id>:try
-- ARGV: member, token, the delay (ms), the attempts made
-- Returns: 1, or -1 without the lease.
-- Uses: time
local todo, leases, tries = KEYS[1], KEYS[2], KEYS[3]
local member, token, delay, attempts = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
if redis.call('HGET', leases, member) ~= token then return -1 end
redis.call('HDEL', leases, member)
redis.call('ZADD', todo, 'XX', server_ms() + delay, member)
if attempts ~= '0' then redis.call('HSET', tries, member, attempts) end
return 1
