package bot_test

import (
	"strings"

	"examdesk/dialog"
)

// stubCatalog is a dialog.Translator over messages held in memory, by
// language then key, with {{.Name}} placeholders. Like locales.Catalog, an
// unknown language falls back to English and an unknown key renders as
// itself.
type stubCatalog map[string]map[string]string

func (c stubCatalog) Translate(lang, key string, args map[string]string) string {
	msgs, ok := c[lang]
	if !ok {
		msgs = c["en"]
	}
	msg, ok := msgs[key]
	if !ok {
		return key
	}
	for name, v := range args {
		msg = strings.ReplaceAll(msg, "{{."+name+"}}", v)
	}
	return msg
}

// stubMessages are the messages the tests render, among them the ones this
// package adds to the message files.
var stubMessages = stubCatalog{
	"en": {
		"greet":           "<b>Hello</b>, {{.Name}}! You are <i>{{.Age}}</i>.",
		"para":            "<i>Paragraph {{.N}}.</i> {{.Body}}",
		"long":            "<b>Results</b>\n\n{{.Body}}",
		"bold":            "<b>{{.Body}}</b>",
		"label.short":     "Yes &amp; no",
		"label.long":      "Technical school, technician college or vocational college",
		"label.cjk":       "繁體中文",
		"notice":          "That button is <b>old</b> &amp; stale.",
		"error.apology":   "Sorry, something went wrong on our side &amp; nothing was changed. Please try again in a moment.",
		"command.start":   "Start over",
		"command.check":   "Check which level you may apply for",
		"command.photo":   "Check your photo",
		"command.where":   "Addresses & maps",
		"command.back":    "Undo your last answer",
		"command.restart": "Start the check over",
		"command.cancel":  "Leave the check",
		"command.lang":    "Choose the language",
		"command.remind":  "Reminders of the exam dates",
		"command.stop":    "Stop notices &amp; reminders",
		"command.forget":  "Delete everything kept about you",
		"command.help":    "Help &amp; topics",
	},
	"zh-Hans": {
		"error.apology":   "抱歉，我们这边出了点问题，什么都没有改变。请稍后再试。",
		"command.start":   "重新开始",
		"command.check":   "检查可以报考的等级",
		"command.photo":   "检查照片",
		"command.where":   "地址和地图",
		"command.back":    "撤销上一个回答",
		"command.restart": "重新开始检查",
		"command.cancel":  "退出检查",
		"command.lang":    "选择语言",
		"command.remind":  "考试日期提醒",
		"command.stop":    "停止通知和提醒",
		"command.forget":  "删除保存的所有资料",
		"command.help":    "帮助和常见问题",
	},
	"zh-Hant": {
		"error.apology":   "抱歉，我們這邊出了點問題，甚麼都沒有改變。請稍後再試。",
		"command.start":   "重新開始",
		"command.check":   "檢查可以報考的等級",
		"command.photo":   "檢查照片",
		"command.where":   "地址和地圖",
		"command.back":    "撤銷上一個回答",
		"command.restart": "重新開始檢查",
		"command.cancel":  "退出檢查",
		"command.lang":    "選擇語言",
		"command.remind":  "考試日期提醒",
		"command.stop":    "停止通知和提醒",
		"command.forget":  "刪除保存的所有資料",
		"command.help":    "幫助和常見問題",
	},
}

var _ dialog.Translator = stubCatalog{}
