-- bc_cancel.lua: cancels a queued or sending broadcast (Broadcasts.Cancel);
-- a finished one is left as it is.
--
-- KEYS: bc:<id>, bc:active
-- ARGV: id
-- Returns: 1, or 0 for an unknown broadcast.
-- Uses: time
local record, active = KEYS[1], KEYS[2]
local id = ARGV[1]
local state = redis.call('HGET', record, 'state')
if not state then return 0 end
if state == 'queued' or state == 'sending' then
	redis.call('HSET', record, 'state', 'cancelled', 'finished', server_ms())
	redis.call('ZREM', active, id)
end
return 1
