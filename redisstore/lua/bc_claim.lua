-- bc_claim.lua: claims a pending recipient of the broadcast due first, under
-- a new lease (Broadcasts.Claim). On its way it makes sending the
-- broadcasts it meets queued, and finishes those with nobody left.
--
-- KEYS: bc:active
-- ARGV: prefix, token (the new lease), lease (ms)
-- Returns: {id, member, attempts, the lease's end (ms)}, or false when no
--       recipient may be claimed.
-- Derives: the keys of the broadcasts it meets, by keys.lua.
-- Uses: keys, time, finish
local active = KEYS[1]
local P, token, lease = ARGV[1], ARGV[2], tonumber(ARGV[3])
local now = server_ms()
local ids = redis.call('ZRANGEBYSCORE', active, '-inf', now, 'LIMIT', 0, 32)
for _, id in ipairs(ids) do
	local record, todo = key.broadcast(P, id), key.todo(P, id)
	local state = redis.call('HGET', record, 'state')
	if state ~= 'queued' and state ~= 'sending' then
		redis.call('ZREM', active, id)
	else
		if state == 'queued' then redis.call('HSET', record, 'state', 'sending') end
		local member = redis.call('ZRANGEBYSCORE', todo, '-inf', now, 'LIMIT', 0, 1)[1]
		if member then
			redis.call('ZADD', todo, 'XX', now + lease, member)
			redis.call('HSET', key.leases(P, id), member, token)
			local tries = redis.call('HGET', key.tries(P, id), member) or '0'
			return {id, member, tries, tostring(now + lease)}
		end
		finish(record, todo, active, id, now)
	end
end
return false
