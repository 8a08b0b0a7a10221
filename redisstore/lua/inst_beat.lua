-- inst_beat.lua: a registered process's heartbeat (Instance.Run): keeps
-- its name, unless another process registered under it.
--
-- KEYS: inst:<name>
-- ARGV: nonce, lease (ms)
-- Returns: 1, or 0 when another process holds the name.
-- Uses: time
local inst = KEYS[1]
local nonce, lease = ARGV[1], tonumber(ARGV[2])
local now = server_ms()
local current = redis.call('GET', inst)
if current and string.match(current, '^(.*):%d+$') ~= nonce then return 0 end
redis.call('SET', inst, nonce .. ':' .. now, 'PX', lease)
return 1
