package faq

// The questions the tests ask, apart from the knowledge base's own
// examples: none of them is an example, so they show how the matcher does
// on questions it has not seen.

// onTopic are questions of each topic, in the three languages, with typos,
// full-width forms and mixed scripts.
var onTopic = []struct{ text, want string }{
	// eligibility
	{"我可以報哪個級別？", "eligibility"},
	{"我有資格報考嗎", "eligibility"},
	{"我本科畢業，能報幾級", "eligibility"},
	{"我做了三年电商，能不能报三级", "eligibility"},
	{"报考电子商务员有什么条件", "eligibility"},
	{"Am I eligible?", "eligibility"},
	{"Which level can I apply for?", "eligibility"},
	{"What are the requirements to apply?", "eligibility"},
	{"I have a master's degree, do I qualify?", "eligibility"},
	{"I have a bachelor degree in marketing, which level?", "eligibility"},
	{"沒有工作經驗可以報名嗎", "eligibility"},
	{"我有四級證書，工作了四年，能報三級嗎", "eligibility"},
	// levels
	{"what levels are there", "levels"},
	{"What's the difference between the levels?", "levels"},
	{"Which level is the highest?", "levels"},
	{"電子商務師有幾級", "levels"},
	{"电子商务师分几级", "levels"},
	{"哪個等級最高", "levels"},
	{"四級叫甚麼", "levels"},
	// registration_time
	{"什麼時候報名？", "registration_time"},
	{"报名时间是几号到几号", "registration_time"},
	{"報名截止了嗎", "registration_time"},
	{"When can I apply?", "registration_time"},
	{"When does registration close?", "registration_time"},
	{"报名什么时候开始", "registration_time"},
	// registration_place
	{"Where do I register?", "registration_place"},
	{"How do I register?", "registration_place"},
	{"在哪報名？", "registration_place"},
	{"可以网上报名吗", "registration_place"},
	{"報名要本人去嗎", "registration_place"},
	{"Do I need to register in person?", "registration_place"},
	{"报名要去哪里", "registration_place"},
	// materials
	{"報名要帶什麼材料", "materials"},
	{"报名需要准备什么", "materials"},
	{"要帶身份證複印件嗎", "materials"},
	{"毕业证要原件吗", "materials"},
	{"What documents do I need?", "materials"},
	{"What should I bring when I register?", "materials"},
	{"Do I need my degree certificate and ID card?", "materials"},
	// application_form
	{"申請表在哪下載", "application_form"},
	{"个人申请表怎么填", "application_form"},
	{"報名表哪裡可以拿到", "application_form"},
	{"How do I fill the application form?", "application_form"},
	{"where is the form", "application_form"},
	// work_proof
	{"公司证明要盖章吗", "work_proof"},
	{"工作年限證明要什麼格式", "work_proof"},
	{"社保記錄可以代替嗎", "work_proof"},
	{"Does my employer need to write a letter?", "work_proof"},
	{"proof of employment", "work_proof"},
	// thesis
	{"論文要幾份", "thesis"},
	{"论文有字数要求吗", "thesis"},
	{"二級要寫論文嗎", "thesis"},
	{"How many thesis copies?", "thesis"},
	{"Do I need to write a dissertation?", "thesis"},
	// exam_date
	{"什麼時候考試？", "exam_date"},
	{"考试时间是哪天", "exam_date"},
	{"幾號考試", "exam_date"},
	{"When is the exam?", "exam_date"},
	{"exam date?", "exam_date"},
	// admission_ticket
	{"准考证什么时候领", "admission_ticket"},
	{"準考證在哪裡拿？", "admission_ticket"},
	{"領准考證要帶什麼", "admission_ticket"},
	{"准考证上的名字错了", "admission_ticket"},
	{"When do I collect my admission ticket?", "admission_ticket"},
	{"I lost my exam ticket", "admission_ticket"},
	{"My name is wrong on the admission ticket", "admission_ticket"},
	// photo
	{"照片要多大？", "photo"},
	{"相片尺寸是多少", "photo"},
	{"要幾寸的照片", "photo"},
	{"照片要白底还是蓝底", "photo"},
	{"What size should the picture be?", "photo"},
	{"Can I use a color photo?", "photo"},
	{"Is 48mm x 33mm right?", "photo"},
	{"报名照片尺寸", "photo"},
	// score_review
	{"成績有問題可以複核嗎", "score_review"},
	{"查分要帶什麼", "score_review"},
	{"I think my score is wrong, can I appeal?", "score_review"},
	{"What is the deadline for a score review?", "score_review"},
	{"複核申請表在哪裡下載", "score_review"},
	{"成绩复核申请表怎么填", "score_review"},
	// defence
	{"答辯什麼時候？", "defence"},
	{"论文答辩在哪里", "defence"},
	{"答辩会怎么通知", "defence"},
	{"How will I be notified about the oral defense?", "defence"},
	{"答辯在哪裡進行", "defence"},
	// certificate
	{"證書什麼時候可以領？", "certificate"},
	{"领证要带什么", "certificate"},
	{"在哪裡領證", "certificate"},
	{"When can I get my certificate?", "certificate"},
	{"Where do I collect the certificate?", "certificate"},
	{"Which floor is the certificate section?", "certificate"},
	{"領證要帶什麼", "certificate"},
	{"领证书需要身份证和照片", "certificate"},
	// retake
	{"補考什麼時候報名", "retake"},
	{"考試不及格可以重考嗎", "retake"},
	{"I failed one subject, can I retake it?", "retake"},
	{"How do resits work?", "retake"},
	{"I didn't pass the theory part", "retake"},
	{"一科没考过怎么办", "retake"},
	// training_route
	{"我參加了培訓，要自己報名嗎", "training_route"},
	{"有结业证书的怎么申报", "training_route"},
	{"培訓機構會不會幫我報名", "training_route"},
	{"I did a training course, how do I register?", "training_route"},
	{"I have a completion certificate from a training school", "training_route"},
	{"培训机构报名和个人报名有什么区别", "training_route"},
	// location
	{"地址在哪？", "location"},
	{"鉴定中心在哪里", "location"},
	{"服務大廳在幾樓", "location"},
	{"怎么去惠福东路", "location"},
	{"What's the address?", "location"},
	{"Where is your office?", "location"},
	{"How do I get to the building?", "location"},
	// Typos.
	{"certifcate collection", "certificate"},
	{"when can I colect my certifcate", "certificate"},
	{"phot size", "photo"},
	{"how many thesis copys", "thesis"},
	{"admision tiket", "admission_ticket"},
	{"registraton deadline", "registration_time"},
	{"scor reveiw", "score_review"},
	// Full-width forms, case and spacing.
	{"照片要多大？", "photo"},
	{"ＷＨＥＲＥ ＤＯ Ｉ ＲＥＧＩＳＴＥＲ？", "registration_place"},
	{"  PHOTO   size ", "photo"},
	{"准考 證", "admission_ticket"},
	{"４８ｍｍ×３３ｍｍ的照片可以嗎？", "photo"},
	// Mixed scripts and languages.
	{"准考證 when", "admission_ticket"},
	{"photo 要幾寸", "photo"},
	{"thesis 要幾份", "thesis"},
	{"准考证 where", "admission_ticket"},
}

// ambiguous are questions that fit two topics about as well: the matcher
// may answer either, or neither.
var ambiguous = []struct {
	text string
	ok   []string
}{
	{"Do I need work experience?", []string{"eligibility", "work_proof"}},
	{"Do I need my ID card for the certificate?", []string{"certificate", "materials"}},
	{"准考证要带照片吗", []string{"admission_ticket", "photo"}},
	{"报名要交什么表", []string{"materials", "application_form"}},
	{"论文答辩要带几份论文", []string{"thesis", "defence"}},
}

// offTopic are messages that ask nothing the FAQ answers.
var offTopic = []string{
	"", "？？？", "!!!", "hello", "你好", "您好", "thanks!", "謝謝", "ok", "好的", "哈哈哈",
	"banana", "maybe", "yes", "no", "-3", "3", "810", "48 33", "2.5", "兩年半",
	"What's the weather like tomorrow?", "明天天氣怎樣", "明天会下雨吗",
	"How do I cook rice?", "怎么煮饭", "點樣煲飯",
	"什么是区块链", "What is blockchain?", "區塊鏈是什麼",
	"Tell me a joke", "讲个笑话", "講個笑話",
	"Who won the football match?", "今晚有什麼電視節目",
	"How do I apply for a driving licence?", "考驾照要多少钱", "雅思考试怎么报名",
	"What is the capital of France?", "法国的首都是哪里",
	"I love you", "我爱你", "你是机器人吗", "Are you a robot?",
	"Recommend a good restaurant in Guangzhou", "广州有什么好吃的",
	"How much is a flight to Beijing?", "去北京的机票多少钱",
	"what is the meaning of life", "人生的意义是什么",
	"Can you help me with my homework?", "帮我写作业",
	"I want to buy a phone", "我想买手机",
	"股票今天涨了吗", "Is the stock market up today?",
	"my cat is sick", "我的猫生病了",
}
