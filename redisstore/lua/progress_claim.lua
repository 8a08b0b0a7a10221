-- progress_claim.lua: takes or renews the right to edit a broadcast's
-- progress message (Progress.Claim). The lock runs out by the server's
-- clock, so that it does on the embedded server too, whose keys expire
-- only when told to; the key expires as well, for cleaning.
--
-- KEYS: progress:<id>:lock
-- ARGV: owner, ttl (ms)
-- Returns: 1, or 0 while another owner holds it.
-- Uses: time
local lock = KEYS[1]
local owner, ttl = ARGV[1], ARGV[2]
local now = server_ms()
local v = redis.call('GET', lock)
if v then
	local expiry, holder = string.match(v, '^(%d+):(.*)$')
	if expiry and holder ~= owner and tonumber(expiry) > now then return 0 end
end
redis.call('SET', lock, (now + tonumber(ttl)) .. ':' .. owner, 'PX', ttl)
return 1
