-- sub_deactivate.lua: makes a subscriber inactive (Subscribers.Unsubscribe,
-- Subscribers.Block): its record, if any, is kept with the reason, and it
-- leaves every index; a blocked chat is also put in the inactive set,
-- record or not.
--
-- KEYS: sub:<chat>, inactive, then the indexes (see sub_subscribe.lua)
-- ARGV: chat, the reason (stop|block), blocked (0|1)
-- Returns: 1.
-- Uses: unindex
local record, inactive = KEYS[1], KEYS[2]
local chat, reason, blocked = ARGV[1], ARGV[2], ARGV[3]
if blocked == '1' then redis.call('SADD', inactive, chat) end
unindex(chat, 3)
if redis.call('EXISTS', record) == 1 then
	redis.call('HSET', record, 'active', '0', 'reason', reason)
end
return 1
