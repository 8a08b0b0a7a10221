-- sub_subscribe.lua: writes a subscriber's record, active, and indexes it
-- anew (Subscribers.Subscribe); since is kept when it was active already.
--
-- KEYS: sub:<chat>, inactive, then the indexes: subs, subs:remind, the
--       subs:lang:<lang> of each language, the subs:level:<n> of 1 to 4
-- ARGV: chat, lang, level, remind (0|1), since (Unix s), the position in
--       KEYS of the language's index, the position of the level's index
--       (0 for level 0)
-- Returns: 1.
-- Uses: unindex
local record, inactive, all, reminded = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local chat, lang, level, remind, since = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local by_lang, by_level = KEYS[tonumber(ARGV[6])], KEYS[tonumber(ARGV[7])]
local was = redis.call('HGET', record, 'active')
unindex(chat, 3)
redis.call('HSET', record, 'lang', lang, 'level', level, 'remind', remind, 'active', '1')
redis.call('HDEL', record, 'reason')
if was ~= '1' then redis.call('HSET', record, 'since', since) end
redis.call('SREM', inactive, chat)
redis.call('ZADD', all, chat, chat)
if remind == '1' then redis.call('ZADD', reminded, chat, chat) end
redis.call('ZADD', by_lang, chat, chat)
if by_level then redis.call('ZADD', by_level, chat, chat) end
return 1
