package telegramtest

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// The parsers below follow the ones Telegram runs (tdlib's parse_html,
// parse_markdown_v2 and parse_markdown): same grammar, same error texts, and
// entity offsets in UTF-16 code units. An error is the text Telegram puts
// after "Bad Request: can't parse entities: ".

// CheckText reports what the Bot API would refuse in text sent with
// parseMode ("HTML", "MarkdownV2", "Markdown" or ""): an error with the
// text Telegram puts after "Bad Request: can't parse entities: ", nil when
// the text would be taken. Tests of message files use it without a server.
func CheckText(text, parseMode string) error {
	_, _, err := parseText(text, parseMode)
	return err
}

// parseText turns text written in parseMode into plain text and entities.
func parseText(text, parseMode string) (string, []Entity, error) {
	switch strings.ToLower(parseMode) {
	case "":
		return text, nil, nil
	case "html":
		return parseHTML(text)
	case "markdownv2":
		return parseMarkdownV2(text)
	case "markdown":
		return parseMarkdown(text)
	}
	return "", nil, errUnsupportedParseMode
}

var errUnsupportedParseMode = errors.New("unsupported parse_mode")

// units returns how many UTF-16 code units the UTF-8 byte c starts: none for
// a continuation byte, two for the first byte of a four-byte sequence.
func units(c byte) int {
	switch {
	case c&0xC0 == 0x80:
		return 0
	case c >= 0xF0:
		return 2
	}
	return 1
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'
}

func isAlnum(c byte) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

// byteAt returns text[i], or 0 past its end, as C strings read.
func byteAt(text string, i int) byte {
	if i < len(text) {
		return text[i]
	}
	return 0
}

// sortEntities orders entities as Telegram does: by offset, outer first.
func sortEntities(ents []Entity) {
	sort.SliceStable(ents, func(i, j int) bool {
		if ents[i].Offset != ents[j].Offset {
			return ents[i].Offset < ents[j].Offset
		}
		return ents[i].Length > ents[j].Length
	})
}

// decodeHTMLEntity decodes the character reference at text[i], which is '&':
// &lt; &gt; &amp; &quot; and numeric ones, the semicolon optional. It returns
// the rune and the bytes it spans, or ok false when Telegram would keep the
// '&' as a literal character.
func decodeHTMLEntity(text string, i int) (r rune, n int, ok bool) {
	end := i + 1
	var code uint32
	if byteAt(text, end) == '#' {
		end++
		if byteAt(text, end) == 'x' {
			end++
			for ; end < len(text) && isHex(text[end]); end++ {
				code = code*16 + uint32(hexVal(text[end]))
				if code > 0x10FFFF {
					code = 0x110000
				}
			}
		} else {
			for ; end < len(text) && '0' <= text[end] && text[end] <= '9'; end++ {
				code = code*10 + uint32(text[end]-'0')
				if code > 0x10FFFF {
					code = 0x110000
				}
			}
		}
		if code == 0 || code >= 0x10FFFF || end-i >= 10 {
			return 0, 0, false
		}
	} else {
		for end < len(text) && (('a' <= text[end] && text[end] <= 'z') || ('A' <= text[end] && text[end] <= 'Z')) {
			end++
		}
		switch text[i+1 : end] {
		case "lt":
			code = '<'
		case "gt":
			code = '>'
		case "amp":
			code = '&'
		case "quot":
			code = '"'
		default:
			return 0, 0, false
		}
	}
	if byteAt(text, end) == ';' {
		end++
	}
	return rune(code), end - i, true
}

func isHex(c byte) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

func hexVal(c byte) int {
	switch {
	case c <= '9':
		return int(c - '0')
	case c >= 'a':
		return int(c-'a') + 10
	}
	return int(c-'A') + 10
}

var errSurrogate = errors.New("Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units")

// parseHTML parses Telegram's HTML subset. Unlike Telegram, which keeps a
// stray '&' as a literal character, it rejects every '&' that does not start
// &lt; &gt; &amp; &quot; or a numeric reference: the Bot API documentation
// asks for them to be escaped, and a bot that forgets garbles user text that
// happens to contain "&lt".
func parseHTML(text string) (string, []Entity, error) {
	type open struct {
		tag, arg string
		offset   int // in UTF-16 units of the result
		begin    int // in bytes of the result
	}
	var (
		out   []byte
		off   int
		stack []open
		ents  []Entity
	)
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c == '&' {
			r, n, ok := decodeHTMLEntity(text, i)
			if !ok {
				return "", nil, fmt.Errorf("Unescaped '&' at byte offset %d: write it as &amp; (telegramtest is stricter than Telegram here)", i)
			}
			if 0xD800 <= r && r <= 0xDFFF {
				return "", nil, errSurrogate
			}
			out = utf8.AppendRune(out, r)
			off += utf16.RuneLen(r)
			i += n - 1
			continue
		}
		if c != '<' {
			off += units(c)
			out = append(out, c)
			continue
		}

		begin := i
		i++
		if byteAt(text, i) != '/' {
			for i < len(text) && !isSpace(text[i]) && text[i] != '>' {
				i++
			}
			if i >= len(text) {
				return "", nil, fmt.Errorf("Unclosed start tag at byte offset %d", begin)
			}
			tag := strings.ToLower(text[begin+1 : i])
			switch tag {
			case "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins",
				"tg-spoiler", "tg-emoji", "span", "pre", "code", "blockquote":
			default:
				return "", nil, fmt.Errorf("Unsupported start tag %q at byte offset %d", tag, begin)
			}
			arg := ""
			for text[i] != '>' {
				for i < len(text) && isSpace(text[i]) {
					i++
				}
				if i >= len(text) {
					return "", nil, fmt.Errorf("Unclosed start tag %q at byte offset %d", tag, begin)
				}
				if text[i] == '>' {
					break
				}
				nameBegin := i
				for i < len(text) && !isSpace(text[i]) && text[i] != '=' && text[i] != '>' {
					i++
				}
				name := text[nameBegin:i]
				if name == "" {
					return "", nil, fmt.Errorf("Empty attribute name in the tag %q at byte offset %d", tag, begin)
				}
				for i < len(text) && isSpace(text[i]) {
					i++
				}
				if i >= len(text) {
					return "", nil, fmt.Errorf("Unclosed start tag %q at byte offset %d", tag, begin)
				}
				if text[i] != '=' {
					// An attribute without a value.
					if tag == "blockquote" && name == "expandable" {
						arg = "1"
					}
					continue
				}
				i++
				for i < len(text) && isSpace(text[i]) {
					i++
				}
				if i >= len(text) {
					return "", nil, fmt.Errorf("Unclosed start tag %q at byte offset %d", tag, begin)
				}
				var value string
				if text[i] != '\'' && text[i] != '"' {
					// A name token: letters, digits, periods and hyphens.
					tokenBegin := i
					for i < len(text) && (isAlnum(text[i]) || text[i] == '.' || text[i] == '-') {
						i++
					}
					value = strings.ToLower(text[tokenBegin:i])
					if i < len(text) && !isSpace(text[i]) && text[i] != '>' {
						return "", nil, fmt.Errorf("Unexpected end of name token at byte offset %d", tokenBegin)
					}
				} else {
					quote := text[i]
					i++
					var v []byte
					for i < len(text) && text[i] != quote {
						if text[i] == '&' {
							if r, n, ok := decodeHTMLEntity(text, i); ok {
								v = utf8.AppendRune(v, r)
								i += n
								continue
							}
						}
						v = append(v, text[i])
						i++
					}
					if i < len(text) {
						i++
					}
					value = string(v)
				}
				if i >= len(text) {
					return "", nil, fmt.Errorf("Unclosed start tag at byte offset %d", begin)
				}
				switch {
				case tag == "a" && name == "href",
					tag == "tg-emoji" && name == "emoji-id":
					arg = value
				case tag == "code" && name == "class" && strings.HasPrefix(value, "language-"):
					arg = value[len("language-"):]
				case tag == "span" && name == "class" && strings.HasPrefix(value, "tg-"):
					arg = value[len("tg-"):]
				case tag == "blockquote" && name == "expandable":
					arg = "1"
				}
			}
			if tag == "span" && arg != "spoiler" {
				return "", nil, fmt.Errorf("Tag \"span\" must have class \"tg-spoiler\" at byte offset %d", begin)
			}
			if tag == "tg-emoji" {
				if id, err := strconv.ParseInt(arg, 10, 64); err != nil || id <= 0 {
					return "", nil, errors.New("Invalid custom emoji identifier specified")
				}
			}
			stack = append(stack, open{tag: tag, arg: arg, offset: off, begin: len(out)})
			continue
		}

		// An end tag.
		if len(stack) == 0 {
			return "", nil, fmt.Errorf("Unexpected end tag at byte offset %d", begin)
		}
		for i < len(text) && !isSpace(text[i]) && text[i] != '>' {
			i++
		}
		endName := text[begin+2 : i]
		for i < len(text) && isSpace(text[i]) {
			i++
		}
		if i >= len(text) || text[i] != '>' {
			return "", nil, fmt.Errorf("Unclosed end tag at byte offset %d", begin)
		}
		top := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if endName != "" && endName != top.tag {
			return "", nil, fmt.Errorf("Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", begin, top.tag, endName)
		}
		if off == top.offset {
			continue
		}
		e := Entity{Offset: top.offset, Length: off - top.offset}
		switch top.tag {
		case "b", "strong":
			e.Type = "bold"
		case "i", "em":
			e.Type = "italic"
		case "u", "ins":
			e.Type = "underline"
		case "s", "strike", "del":
			e.Type = "strikethrough"
		case "tg-spoiler", "span":
			e.Type = "spoiler"
		case "tg-emoji":
			e.Type, e.CustomEmojiID = "custom_emoji", top.arg
		case "blockquote":
			e.Type = "blockquote"
			if top.arg != "" {
				e.Type = "expandable_blockquote"
			}
		case "a":
			e.Type, e.URL = "text_link", top.arg
			if e.URL == "" {
				e.URL = string(out[top.begin:])
			}
			if !validLink(e.URL) {
				continue
			}
		case "pre":
			if n := len(ents); n > 0 && ents[n-1].Type == "code" && ents[n-1].Offset == e.Offset &&
				ents[n-1].Length == e.Length && ents[n-1].Language != "" {
				ents[n-1].Type = "pre"
				continue
			}
			e.Type = "pre"
		case "code":
			if n := len(ents); n > 0 && ents[n-1].Type == "pre" && ents[n-1].Offset == e.Offset &&
				ents[n-1].Length == e.Length && top.arg != "" {
				ents[n-1].Language = top.arg
				continue
			}
			e.Type, e.Language = "code", top.arg
		}
		ents = append(ents, e)
	}
	if len(stack) > 0 {
		return "", nil, fmt.Errorf("Can't find end tag corresponding to start tag %q", stack[len(stack)-1].tag)
	}
	for i := range ents {
		if ents[i].Type == "code" {
			ents[i].Language = ""
		}
	}
	sortEntities(ents)
	return string(out), ents, nil
}

// validLink reports whether Telegram would keep a text link to u: an http(s)
// or tg URL, the scheme optional.
func validLink(u string) bool {
	if u == "" {
		return false
	}
	if !strings.Contains(u, "://") && !strings.HasPrefix(strings.ToLower(u), "tg:") {
		u = "http://" + u
	}
	p, err := url.Parse(u)
	if err != nil {
		return false
	}
	switch strings.ToLower(p.Scheme) {
	case "http", "https", "ton":
		return strings.Contains(p.Host, ".") || p.Hostname() == "localhost"
	case "tg":
		return true
	}
	return false
}

// MarkdownV2 entity kinds, named as Telegram's error messages name them.
const (
	mdBold        = "Bold"
	mdItalic      = "Italic"
	mdUnderline   = "Underline"
	mdStrike      = "Strikethrough"
	mdSpoiler     = "Spoiler"
	mdCode        = "Code"
	mdPre         = "Pre"
	mdPreCode     = "PreCode"
	mdTextURL     = "TextUrl"
	mdEmoji       = "CustomEmoji"
	mdQuote       = "BlockQuote"
	mdExpandQuote = "ExpandableBlockQuote"
)

func reservedError(c byte) error {
	return fmt.Errorf("Character '%c' is reserved and must be escaped with the preceding '\\'", c)
}

// parseMarkdownV2 parses Telegram's MarkdownV2.
func parseMarkdownV2(text string) (string, []Entity, error) {
	type open struct {
		kind, arg  string
		offset     int // in UTF-16 units of the result
		byteOffset int // in bytes of text
		begin      int // in bytes of the result
	}
	var (
		out       []byte
		off       int
		stack     []open
		ents      []Entity
		haveQuote bool
		canQuote  = true
	)
	endError := func(o open) error {
		return fmt.Errorf("Can't find end of %s entity at byte offset %d", o.kind, o.byteOffset)
	}
	// readURL reads a parenthesised URL from text[i], just past '(',
	// unescaping it; it returns the URL and the index of ')', or ok false.
	readURL := func(i int) (string, int, bool) {
		var u []byte
		for i < len(text) && text[i] != ')' {
			if text[i] == '\\' && byteAt(text, i+1) > 0 && byteAt(text, i+1) <= 126 {
				u = append(u, text[i+1])
				i += 2
				continue
			}
			u = append(u, text[i])
			i++
		}
		return string(u), i, i < len(text)
	}

	for i := 0; i < len(text); i++ {
		c := text[i]
		if c == '\\' && byteAt(text, i+1) > 0 && byteAt(text, i+1) <= 126 {
			i++
			off++
			out = append(out, text[i])
			if text[i] != '\r' {
				canQuote = text[i] == '\n'
			}
			continue
		}

		reserved := "_*[]()~`>#+-=|{}.!\n"
		if n := len(stack); n > 0 {
			switch stack[n-1].kind {
			case mdCode, mdPre, mdPreCode:
				reserved = "`"
			}
		}
		if strings.IndexByte(reserved, c) < 0 {
			if u := units(c); u > 0 {
				off += u
				if c != '\r' {
					canQuote = false
				}
			}
			out = append(out, c)
			continue
		}

		isEnd := false
		if n := len(stack); n > 0 {
			if haveQuote && c == '\n' && (i+1 == len(text) || text[i+1] != '>') {
				isEnd = true
			} else {
				switch stack[n-1].kind {
				case mdBold:
					isEnd = c == '*'
				case mdItalic:
					isEnd = c == '_' && byteAt(text, i+1) != '_'
				case mdCode:
					isEnd = c == '`'
				case mdPre, mdPreCode:
					isEnd = c == '`' && byteAt(text, i+1) == '`' && byteAt(text, i+2) == '`'
				case mdTextURL, mdEmoji:
					isEnd = c == ']'
				case mdUnderline:
					isEnd = c == '_' && byteAt(text, i+1) == '_'
				case mdStrike:
					isEnd = c == '~'
				case mdSpoiler:
					isEnd = c == '|' && byteAt(text, i+1) == '|'
				}
			}
		}

		if !isEnd {
			var kind, arg string
			byteOffset := i
			switch c {
			case '_':
				if byteAt(text, i+1) == '_' {
					kind = mdUnderline
					i++
				} else {
					kind = mdItalic
				}
			case '*':
				kind = mdBold
			case '~':
				kind = mdStrike
			case '|':
				if byteAt(text, i+1) != '|' {
					return "", nil, reservedError(c)
				}
				i++
				kind = mdSpoiler
			case '[':
				kind = mdTextURL
			case '`':
				if byteAt(text, i+1) != '`' || byteAt(text, i+2) != '`' {
					kind = mdCode
					break
				}
				i += 3
				kind = mdPre
				langEnd := i
				for langEnd < len(text) && !isSpace(text[langEnd]) && text[langEnd] != '`' {
					langEnd++
				}
				if i != langEnd && langEnd < len(text) && text[langEnd] != '`' {
					kind = mdPreCode
					arg = text[i:langEnd]
					i = langEnd
				}
				// Skip one new line at the beginning of the block.
				if b := byteAt(text, i); b == '\n' || b == '\r' {
					if b2 := byteAt(text, i+1); (b2 == '\n' || b2 == '\r') && b != b2 {
						i += 2
					} else {
						i++
					}
				}
				i--
			case '!':
				if byteAt(text, i+1) != '[' {
					return "", nil, reservedError(c)
				}
				i++
				kind = mdEmoji
			case '\n':
				off++
				out = append(out, '\n')
				canQuote = true
				continue
			case '>':
				if !canQuote {
					return "", nil, reservedError(c)
				}
				if haveQuote {
					continue
				}
				kind = mdQuote
				haveQuote = true
			default:
				return "", nil, reservedError(c)
			}
			stack = append(stack, open{kind: kind, arg: arg, offset: off, byteOffset: byteOffset, begin: len(out)})
			continue
		}

		// The end of an entity.
		top := stack[len(stack)-1]
		kind := top.kind
		if c == '\n' && kind != mdQuote {
			// Only "||" right before the end of a quote closes it, making it
			// an expandable one.
			atSpoilerEnd := top.byteOffset == i-2 ||
				(top.byteOffset == i-3 && len(out) > 0 && out[len(out)-1] == '\r')
			if kind != mdSpoiler || !atSpoilerEnd {
				return "", nil, endError(top)
			}
			stack = stack[:len(stack)-1]
			top = stack[len(stack)-1]
			if top.kind != mdQuote {
				return "", nil, endError(top)
			}
			kind = mdExpandQuote
		}
		arg := top.arg
		skip := off == top.offset
		switch kind {
		case mdUnderline, mdSpoiler:
			i++
		case mdPre, mdPreCode:
			i += 2
		case mdTextURL:
			var link string
			if byteAt(text, i+1) != '(' {
				link = string(out[top.begin:])
			} else {
				u, end, ok := readURL(i + 2)
				if !ok {
					return "", nil, fmt.Errorf("Can't find end of a URL at byte offset %d", i+2)
				}
				link, i = u, end
			}
			if validLink(link) {
				arg = link
			} else {
				skip = true
			}
		case mdEmoji:
			if byteAt(text, i+1) != '(' {
				return "", nil, errors.New("Custom emoji entity must contain a tg://emoji URL")
			}
			u, end, ok := readURL(i + 2)
			if !ok {
				return "", nil, fmt.Errorf("Can't find end of a custom emoji URL at byte offset %d", i+2)
			}
			i = end
			id, err := customEmojiID(u)
			if err != nil {
				return "", nil, err
			}
			arg = id
		case mdQuote, mdExpandQuote:
			haveQuote = false
			out = append(out, text[i])
			canQuote = true
			off++
			skip = false
		}
		stack = stack[:len(stack)-1]
		if skip {
			continue
		}
		ents = append(ents, markdownEntity(kind, arg, top.offset, off-top.offset))
	}

	if haveQuote {
		kind := mdQuote
		if top := stack[len(stack)-1]; top.kind == mdSpoiler && top.byteOffset == len(text)-2 {
			stack = stack[:len(stack)-1]
			kind = mdExpandQuote
		}
		if top := stack[len(stack)-1]; top.kind == mdQuote {
			if off != top.offset {
				ents = append(ents, markdownEntity(kind, "", top.offset, off-top.offset))
			}
			stack = stack[:len(stack)-1]
		}
	}
	if len(stack) > 0 {
		return "", nil, endError(stack[len(stack)-1])
	}
	sortEntities(ents)
	return string(out), ents, nil
}

func markdownEntity(kind, arg string, offset, length int) Entity {
	e := Entity{Offset: offset, Length: length}
	switch kind {
	case mdBold:
		e.Type = "bold"
	case mdItalic:
		e.Type = "italic"
	case mdUnderline:
		e.Type = "underline"
	case mdStrike:
		e.Type = "strikethrough"
	case mdSpoiler:
		e.Type = "spoiler"
	case mdCode:
		e.Type = "code"
	case mdPre:
		e.Type = "pre"
	case mdPreCode:
		e.Type, e.Language = "pre", arg
	case mdTextURL:
		e.Type, e.URL = "text_link", arg
	case mdEmoji:
		e.Type, e.CustomEmojiID = "custom_emoji", arg
	case mdQuote:
		e.Type = "blockquote"
	case mdExpandQuote:
		e.Type = "expandable_blockquote"
	}
	return e
}

// customEmojiID returns the identifier in a tg://emoji?id=N link.
func customEmojiID(link string) (string, error) {
	u, err := url.Parse(link)
	if err != nil || !strings.EqualFold(u.Scheme, "tg") {
		return "", errors.New("Custom emoji URL must have scheme tg")
	}
	host := u.Host
	if host == "" {
		host, _, _ = strings.Cut(u.Opaque, "?")
	}
	if !strings.EqualFold(strings.TrimSuffix(host, "/"), "emoji") {
		return "", errors.New("Custom emoji URL must have host \"emoji\"")
	}
	id := u.Query().Get("id")
	if id == "" {
		return "", errors.New("Custom emoji URL must have an emoji identifier")
	}
	if n, err := strconv.ParseInt(id, 10, 64); err != nil || n <= 0 || strconv.FormatInt(n, 10) != id {
		return "", errors.New("Invalid custom emoji identifier specified")
	}
	return id, nil
}

// parseMarkdown parses Telegram's legacy Markdown.
func parseMarkdown(text string) (string, []Entity, error) {
	var (
		out  []byte
		off  int
		ents []Entity
	)
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c == '\\' {
			if next := byteAt(text, i+1); next == '_' || next == '*' || next == '`' || next == '[' {
				i++
				out = append(out, next)
				off++
				continue
			}
		}
		if c != '_' && c != '*' && c != '`' && c != '[' {
			off += units(c)
			out = append(out, c)
			continue
		}

		begin := i
		end := c
		if c == '[' {
			end = ']'
		}
		i++
		pre, lang := false, ""
		if c == '`' && byteAt(text, i) == '`' && byteAt(text, i+1) == '`' {
			i += 2
			pre = true
			langEnd := i
			for langEnd < len(text) && !isSpace(text[langEnd]) && text[langEnd] != '`' {
				langEnd++
			}
			if i != langEnd && langEnd < len(text) && text[langEnd] != '`' {
				lang = text[i:langEnd]
				i = langEnd
			}
			if b := byteAt(text, i); b == '\n' || b == '\r' {
				if b2 := byteAt(text, i+1); (b2 == '\n' || b2 == '\r') && b != b2 {
					i += 2
				} else {
					i++
				}
			}
		}
		start, startByte := off, len(out)
		for i < len(text) && (text[i] != end || (pre && !(byteAt(text, i+1) == '`' && byteAt(text, i+2) == '`'))) {
			off += units(text[i])
			out = append(out, text[i])
			i++
		}
		if i >= len(text) {
			return "", nil, fmt.Errorf("Can't find end of the entity starting at byte offset %d", begin)
		}
		if off != start {
			e := Entity{Offset: start, Length: off - start}
			switch c {
			case '_':
				e.Type = "italic"
			case '*':
				e.Type = "bold"
			case '`':
				e.Type = "code"
				if pre {
					e.Type, e.Language = "pre", lang
				}
			case '[':
				link := string(out[startByte:])
				if byteAt(text, i+1) == '(' {
					i += 2
					var u []byte
					for i < len(text) && text[i] != ')' {
						u = append(u, text[i])
						i++
					}
					link = string(u)
				}
				e.Type, e.URL = "text_link", link
			}
			if e.Type != "text_link" || validLink(e.URL) {
				ents = append(ents, e)
			}
		}
		if pre {
			i += 2
		}
	}
	sortEntities(ents)
	return string(out), ents, nil
}
