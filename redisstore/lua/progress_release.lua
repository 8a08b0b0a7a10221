-- progress_release.lua: gives owner's right to edit a broadcast's progress
-- message up (Progress.Release); nothing when owner does not hold it.
--
-- KEYS: progress:<id>:lock
-- ARGV: owner
-- Returns: 1.
local lock = KEYS[1]
local owner = ARGV[1]
local v = redis.call('GET', lock)
if v and string.match(v, '^%d+:(.*)$') == owner then redis.call('DEL', lock) end
return 1
