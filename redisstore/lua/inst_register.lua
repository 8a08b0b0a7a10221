-- inst_register.lua: registers a process under its name (Store.Register)
-- unless a process that beat recently holds it, and takes over what the
-- name's processes held before: the leases of its chats and of its
-- broadcast recipients end at once.
--
-- KEYS: inst:<name>, ready, bc:active
-- ARGV: prefix, name, nonce, lease (ms), dead (ms: a process whose last
--       beat is older has died)
-- Returns: {1, chats taken over, recipients taken over} when registered;
--       {0, ms since the last beat} when a live process holds the name.
-- Derives: the keys of the chats held and of the active broadcasts, by
--       keys.lua.
-- Uses: keys, time, lease
local inst, ready, active = KEYS[1], KEYS[2], KEYS[3]
local P, name, nonce, lease, dead = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
local now = server_ms()
local current = redis.call('GET', inst)
if current then
	local holder, beat = string.match(current, '^(.*):(%d+)$')
	beat = tonumber(beat) or 0
	if holder ~= nonce and now - beat < dead then return {0, now - beat} end
end
redis.call('SET', inst, nonce .. ':' .. now, 'PX', lease)
local mine = name .. '/'
local function ours(token) return token and string.sub(token, 1, #mine) == mine end
-- The chats held have their lease's expiry as their score in ready.
local chats = 0
for _, chat in ipairs(redis.call('ZRANGEBYSCORE', ready, '(' .. now, '+inf')) do
	local lock = key.lock(P, chat)
	local token = lease_of(lock)
	if ours(token) then
		redis.call('DEL', lock, key.claim(P, token))
		redis.call('ZADD', ready, now, chat)
		chats = chats + 1
	end
end
local recipients = 0
for _, id in ipairs(redis.call('ZRANGE', active, 0, -1)) do
	local leases, todo = key.leases(P, id), key.todo(P, id)
	local held = redis.call('HGETALL', leases)
	for i = 1, #held, 2 do
		if ours(held[i + 1]) then
			redis.call('HDEL', leases, held[i])
			if redis.call('ZADD', todo, 'XX', 'CH', now, held[i]) == 1 then recipients = recipients + 1 end
		end
	end
end
return {1, chats, recipients}
