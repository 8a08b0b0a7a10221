-- inst_leave.lua: a registered process gives its name up at shutdown
-- (Instance.Leave), so that the next process with it needs not wait.
--
-- KEYS: inst:<name>
-- ARGV: nonce
-- Returns: 1 when given up, 0 when another process holds it.
local inst = KEYS[1]
local nonce = ARGV[1]
local current = redis.call('GET', inst)
if not current or string.match(current, '^(.*):%d+$') ~= nonce then return 0 end
redis.call('DEL', inst)
return 1
