-- state_save.lua: saves a conversation's state with compare-and-set on its
-- version (Store.Save). A missing key has version 0; a key that exists has
-- the version in its field v. Versions are compared as the decimal
-- strings Save writes.
--
-- KEYS: state:<chat>:<user>
-- ARGV: the version read, the new version, the state's record, the time to
--       live (ms)
-- Returns: 1 when saved, 0 when the stored version is not the one read.
local state = KEYS[1]
local version, next_version, record, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
if redis.call('EXISTS', state) == 0 then
	if version ~= '0' then return 0 end
elseif version == '0' or redis.call('HGET', state, 'v') ~= version then
	return 0
end
redis.call('HSET', state, 'v', next_version, 'd', record)
redis.call('PEXPIRE', state, ttl)
return 1
