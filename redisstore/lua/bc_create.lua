-- bc_create.lua: commits a Create (Broadcasts.Create): the recipients
-- gathered in the stage become the broadcast's, and the broadcast is
-- queued, or done at once when it has none.
--
-- KEYS: bc:<id>, bc:stage:<r>, bc:<id>:todo, bc:active, bc:index
-- ARGV: id, the notice (JSON), by, created (ms), at (ms)
-- Returns: the broadcast's total; -1 when the broadcast exists (the stage
--       is dropped).
local record, stage, todo, active, index = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local id, notice, by, created, at = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
if redis.call('EXISTS', record) == 1 then
	redis.call('DEL', stage)
	return -1
end
local total = redis.call('ZCARD', stage)
local state = 'queued'
redis.call('HSET', record, 'notice', notice, 'by', by, 'created', created, 'at', at,
	'total', total, 'sent', 0, 'blocked', 0, 'failed', 0)
if total > 0 then
	redis.call('RENAME', stage, todo)
	redis.call('PERSIST', todo)
	redis.call('ZADD', active, at, id)
else
	state = 'done'
	redis.call('HSET', record, 'finished', created)
end
redis.call('HSET', record, 'state', state)
redis.call('ZADD', index, created, id)
return total
