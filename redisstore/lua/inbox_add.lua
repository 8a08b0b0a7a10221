-- inbox_add.lua: records updates, those new within the dedup window
-- (Inbox.Add). Update ids are kept in a set per period of the window,
-- seen:<period number>, and looked up in the sets of this period and the
-- one before; seen holds the latest period number, and the sets older than
-- the one before are deleted.
--
-- KEYS: seen, ready, then the q:<chat> of each update
-- ARGV: prefix, the dedup window (ms), then each update's chat, id and
--       queue member
-- Returns: how many updates were new.
-- Derives: seen:<period> from the server's time, by keys.lua.
-- Uses: keys, time
local seen, ready = KEYS[1], KEYS[2]
local P, window = ARGV[1], tonumber(ARGV[2])
local now = server_ms()
local period = math.floor(now / window)
local last = tonumber(redis.call('GET', seen) or period) or period
if last ~= period then
	for _, p in ipairs({last, last - 1}) do
		if p < period - 1 then redis.call('UNLINK', key.seen(P, p)) end
	end
end
redis.call('SET', seen, period)
local current, previous = key.seen(P, period), key.seen(P, period - 1)
local added = 0
for i = 1, #KEYS - 2 do
	local queue = KEYS[2 + i]
	local chat, id, member = ARGV[3 * i], ARGV[3 * i + 1], ARGV[3 * i + 2]
	if redis.call('SISMEMBER', previous, id) == 0 and redis.call('SADD', current, id) == 1 then
		redis.call('ZADD', queue, id, member)
		redis.call('ZADD', ready, 'NX', now, chat)
		added = added + 1
	end
end
redis.call('PEXPIRE', current, 2 * window)
return added
