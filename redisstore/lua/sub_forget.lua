-- sub_forget.lua: deletes everything kept about a chat
-- (Subscribers.Forget): its record, its inactive mark, its index entries,
-- the state of its private conversation; then, in every broadcast, its
-- outcome and its pending delivery, counted as failed so that the counts
-- still add up (a worker holding the delivery loses its lease, so its
-- record writes nothing).
--
-- KEYS: sub:<chat>, inactive, state:<chat>:<chat>, bc:index, then the
--       indexes (see sub_subscribe.lua)
-- ARGV: chat, prefix, then the languages a delivery's member may name
-- Returns: 1.
-- Derives: the keys of every broadcast, by keys.lua.
-- Uses: keys, unindex
local record, inactive, state, index = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local chat, P = ARGV[1], ARGV[2]
redis.call('DEL', record, state)
redis.call('SREM', inactive, chat)
unindex(chat, 5)
for _, id in ipairs(redis.call('ZRANGE', index, 0, -1)) do
	local todo, leases, tries = key.todo(P, id), key.leases(P, id), key.tries(P, id)
	redis.call('HDEL', key.outcomes(P, id), chat)
	for i = 3, #ARGV do
		local member = chat .. '|' .. ARGV[i]
		if redis.call('ZREM', todo, member) == 1 then
			redis.call('HDEL', tries, member)
			redis.call('HDEL', leases, member)
			redis.call('HINCRBY', key.broadcast(P, id), 'failed', 1)
		end
	end
end
return 1
