package rules

// numQuestions is the number of questions in the vocabulary.
const numQuestions = 10

// factDef describes one question of the vocabulary: the facts, values and
// operators of DOMAIN.md. The conditions file may only use these.
type factDef struct {
	question Question
	// fact is the name conditions use: the question itself, or "training"
	// for the four training questions.
	fact string
	kind Kind
	// values are the choices in display order (Choice and YesNo); for an
	// ordered fact (education) this is also the order.
	values []string
	// level is, for a training question, the level value it asks about.
	level string
	// atLeast is, for a fact that ">=" may compare, the index of the lowest
	// value ">=" may name; -1 when ">=" does not apply to the fact.
	atLeast int
	// work: the fact counts years of work in the occupation.
	work bool
	// certificate: the fact names a qualification certificate.
	certificate bool
}

// Choice values that DecodeFacts and Facts.Answers fill in for a missing fact.
const (
	noCertificate = "none"
	noEducation   = "none"
	otherMajor    = "other"
	yes           = "yes"
	no            = "no"
)

// trainingLevels are the values of the training list, lowest level first.
func trainingLevels() []string {
	return []string{"level4", "level3", "level2", "level1"}
}

// vocabulary returns the questions DOMAIN.md defines, in its order.
// Education is ordered, and ">=" on it may only name a university degree
// (associate and above): the two vocational conditions need exactly that
// kind of school.
func vocabulary() [numQuestions]factDef {
	yesNo := []string{yes, no}
	return [numQuestions]factDef{
		{question: OccupationYears, fact: string(OccupationYears), kind: Number, atLeast: -1, work: true},
		{question: Certificate, fact: string(Certificate), kind: Choice, atLeast: -1, certificate: true,
			values: []string{noCertificate, "level4", "level3", "level2", "level1"}},
		{question: YearsSinceCertificate, fact: string(YearsSinceCertificate), kind: Number, atLeast: -1, work: true},
		{question: TrainingLevel4, fact: "training", kind: YesNo, values: yesNo, level: "level4", atLeast: -1},
		{question: TrainingLevel3, fact: "training", kind: YesNo, values: yesNo, level: "level3", atLeast: -1},
		{question: TrainingLevel2, fact: "training", kind: YesNo, values: yesNo, level: "level2", atLeast: -1},
		{question: TrainingLevel1, fact: "training", kind: YesNo, values: yesNo, level: "level1", atLeast: -1},
		{question: Education, fact: string(Education), kind: Choice, atLeast: 3,
			values: []string{noEducation, "secondary_vocational", "advanced_vocational", "associate", "bachelor", "master", "doctorate"}},
		{question: Major, fact: string(Major), kind: Choice, atLeast: -1,
			values: []string{"ecommerce", "related", otherMajor}},
		{question: YearsSinceGraduation, fact: string(YearsSinceGraduation), kind: Number, atLeast: -1},
	}
}
