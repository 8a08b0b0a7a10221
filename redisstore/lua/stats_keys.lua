-- stats_keys.lua: a fragment, the key schema of an unanswered question for
-- the scripts that find question ids in what they read. It is the same as
-- Stats.questionKeys in stats.go.
--
-- stats_question_keys(prefix, id) returns the question's hash and the hash
-- of who asked it: <prefix>stats:q:<id> and <prefix>stats:q:<id>:askers.
local function stats_question_keys(prefix, id)
	local question = prefix .. 'stats:q:' .. id
	return question, question .. ':askers'
end
