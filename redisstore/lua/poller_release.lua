-- poller_release.lua: gives owner's poller lease up (PollerLease.Release);
-- nothing when owner does not hold it.
--
-- KEYS: poller
-- ARGV: owner
-- Returns: 1 when owner held it, else 0.
local poller = KEYS[1]
local owner = ARGV[1]
local held = redis.call('GET', poller)
if held and string.match(held, '^(.*):%d+$') == owner then
	redis.call('DEL', poller)
	return 1
end
return 0
