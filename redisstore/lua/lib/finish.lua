-- finish.lua: finish(record, todo, active, id, now) makes the broadcast id
-- done, when no recipient is left in todo, and takes it out of active.
-- record is bc:<id>.
local function finish(record, todo, active, id, now)
	if redis.call('ZCARD', todo) > 0 then return end
	local state = redis.call('HGET', record, 'state')
	if state == 'sending' or state == 'queued' then
		redis.call('HSET', record, 'state', 'done', 'finished', now)
	end
	redis.call('ZREM', active, id)
end
