-- sub_remind.lua: sets a subscriber's reminder choice, active or not
-- (Subscribers.SetRemind); it is in subs:remind only while active. An
-- unknown chat stays unknown.
--
-- KEYS: sub:<chat>, inactive, then the indexes (see sub_subscribe.lua)
-- ARGV: chat, remind (0|1)
-- Returns: 1, or 0 when the chat has no record.
local record, reminded = KEYS[1], KEYS[4]
local chat, remind = ARGV[1], ARGV[2]
if redis.call('EXISTS', record) == 0 then return 0 end
redis.call('HSET', record, 'remind', remind)
if remind == '1' and redis.call('HGET', record, 'active') == '1' then
	redis.call('ZADD', reminded, chat, chat)
else
	redis.call('ZREM', reminded, chat)
end
return 1
