-- unindex.lua: unindex(chat, first) removes chat from the indexes of
-- subscribers, KEYS[first] to the last key.
local function unindex(chat, first)
	for i = first, #KEYS do redis.call('ZREM', KEYS[i], chat) end
end
