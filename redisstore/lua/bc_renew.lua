-- bc_renew.lua: extends the lease of a claimed recipient of a sending
-- broadcast (Broadcasts.Renew).
--
-- KEYS: bc:<id>, bc:<id>:todo, bc:<id>:lease
-- ARGV: member, token, lease (ms)
-- Returns: the lease's new end (ms), or -1 when the lease is not token's
--       or the broadcast is not sending.
-- Uses: time
local record, todo, leases = KEYS[1], KEYS[2], KEYS[3]
local member, token, lease = ARGV[1], ARGV[2], tonumber(ARGV[3])
local now = server_ms()
if redis.call('HGET', leases, member) ~= token or redis.call('HGET', record, 'state') ~= 'sending' then
	return -1
end
redis.call('ZADD', todo, 'XX', now + lease, member)
return now + lease
