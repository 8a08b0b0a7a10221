// Package rules holds the eligibility conditions of the E-commerce Specialist
// qualification as data, and evaluates them on complete or partial facts: which
// of the four levels a candidate may apply for, by which condition and route,
// what is still missing for the levels not reached, and which question to ask
// next so that the answer is decided in as few questions as possible.
package rules

import "examdesk"

// Levels lists the levels in the order results are reported: 4, 3, 2, 1.
var Levels = []examdesk.Level{4, 3, 2, 1}

// Route is how a candidate applies for a level they are eligible for.
type Route string

const (
	// Individual: in person at the centre's service hall.
	Individual Route = "individual"
	// Training: every met condition needs formal training, and the notice
	// sends those candidates to their training institution.
	Training Route = "training"
)

// Question identifies one thing the dialog may ask: a fact, or for the
// training list one level of it ("training.level3").
type Question string

// The questions, one per fact (and one per training level).
const (
	OccupationYears       Question = "occupation_years"
	Certificate           Question = "certificate"
	YearsSinceCertificate Question = "years_since_certificate"
	Education             Question = "education"
	Major                 Question = "major"
	YearsSinceGraduation  Question = "years_since_graduation"
	TrainingLevel4        Question = "training.level4"
	TrainingLevel3        Question = "training.level3"
	TrainingLevel2        Question = "training.level2"
	TrainingLevel1        Question = "training.level1"
)

// Kind says how a question is answered.
type Kind int

const (
	// Number: a number of years, ≥ 0.
	Number Kind = iota + 1
	// Choice: one of the question's choices.
	Choice
	// YesNo: "yes" or "no".
	YesNo
)

// Value is one answer: Number for number questions, Choice otherwise
// ("yes" or "no" for yes/no questions).
type Value struct {
	Number float64 `json:"n,omitempty"`
	Choice string  `json:"c,omitempty"`
}

// Answers holds what is known so far; a question absent from the map is
// unknown.
type Answers map[Question]Value
