-- sub_page.lua: a page of the chats in every given index, or their count
-- (Subscribers.List, Subscribers.Count): it walks the smallest index in
-- batches and keeps the chats that are in all the others.
--
-- KEYS: the indexes (one or more)
-- ARGV: after (a chat id: the page starts above it), n (the page's size),
--       counting (1: count them all instead, ignoring n)
-- Returns: up to n chat ids, by id; or, counting, how many there are.
local after, n, counting = ARGV[1], tonumber(ARGV[2]), ARGV[3] == '1'
if #KEYS == 1 and counting then return redis.call('ZCARD', KEYS[1]) end
local walk, size = 1, redis.call('ZCARD', KEYS[1])
for i = 2, #KEYS do
	local c = redis.call('ZCARD', KEYS[i])
	if c < size then walk, size = i, c end
end
local out, count = {}, 0
local cursor = '(' .. after
while counting or #out < n do
	local ids = redis.call('ZRANGEBYSCORE', KEYS[walk], cursor, '+inf', 'LIMIT', 0, 500)
	if #ids == 0 then break end
	for _, id in ipairs(ids) do
		local in_all = true
		for i = 1, #KEYS do
			if i ~= walk and not redis.call('ZSCORE', KEYS[i], id) then in_all = false; break end
		end
		if in_all then
			count = count + 1
			if not counting then
				out[#out + 1] = id
				if #out == n then break end
			end
		end
	end
	cursor = '(' .. ids[#ids]
end
if counting then return count end
return out
