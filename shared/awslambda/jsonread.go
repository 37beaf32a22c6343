package awslambda

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// The HTTP events are read by a small purpose-built decoder: one pass over
// the payload that keeps only the fields the edge uses, takes strings
// without escapes as substrings of one copy of the payload, and builds the
// request's http.Header directly. It is exact or it declines: on anything
// whose encoding/json reading it does not reproduce (a key that only
// case-insensitively matches a field, a duplicate header, invalid UTF-8 or
// a lone surrogate in a string, null inside a map, a field of the wrong
// type, a payload of another source, invalid JSON) it gives up and the
// invocation takes the encoding/json path (classify, then the event type of
// aws-lambda-go). Fields the edge does not use are only checked to be valid
// JSON, where encoding/json would also have checked their types.

// httpEvent is what the edge reads of an HTTP event, any source.
type httpEvent struct {
	version, httpMethod, rawPath, rawQuery, path, body string
	base64, hasCookies                                 bool
	cookies                                            []string
	// The query maps, as spans of the payload, read once the source is known.
	query, mvQuery span
	// The headers, read on the way (see headers): ents[single[0]:single[1]]
	// and ents[multi[0]:multi[1]].
	ents          []headerEntry
	single, multi [2]int
	mvPresent     bool // multiValueHeaders is an object, even empty
	vals          []string
	keys          strings.Builder

	accountID, domainName, apiID, stage, requestID, protocol, ctxPath string
	identitySourceIP, targetGroupARN                                  string
	httpMethodV2, httpProtocol, httpSourceIP                          string

	d decoder // holds the payload, for the spans
}

// span is where a value sits in the payload; present is false when the key
// is absent or null.
type span struct {
	from, to int
	present  bool
}

// decoder reads JSON from s; ok turns false for good at the first thing it
// declines.
type decoder struct {
	s     string
	i     int
	ok    bool
	depth int
}

func (d *decoder) fail() { d.ok = false }

func (d *decoder) ws() {
	if d.i < len(d.s) && d.s[d.i] > ' ' {
		return
	}
	s, i := d.s, d.i
	for i < len(s) && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r') {
		i++
	}
	d.i = i
}

func (d *decoder) peek() byte {
	d.ws()
	if d.i < len(d.s) {
		return d.s[d.i]
	}
	return 0
}

// literal consumes lit if it is next.
func (d *decoder) literal(lit string) bool {
	if strings.HasPrefix(d.s[d.i:], lit) {
		d.i += len(lit)
		return true
	}
	return false
}

// null consumes a null if it is next.
func (d *decoder) null() bool { return d.peek() == 'n' && d.literal("null") }

// str reads a string, unescaped.
func (d *decoder) str() string {
	if d.peek() != '"' {
		d.fail()
		return ""
	}
	d.i++
	start := d.i
	for d.i < len(d.s) {
		s, i := d.s, d.i // in registers: the scan of plain bytes is most of the time spent here
		for i < len(s) && plainByte[s[i]] {
			i++
		}
		if d.i = i; i == len(s) {
			break
		}
		c := s[i]
		switch {
		case c == '"':
			d.i++
			return d.s[start : d.i-1]
		case c == '\\':
			return d.unescape(start)
		case c < 0x20:
			d.fail()
			return ""
		case c < utf8.RuneSelf:
			d.i++
		default:
			r, n := utf8.DecodeRuneInString(d.s[d.i:])
			if r == utf8.RuneError && n == 1 {
				d.fail() // encoding/json would put U+FFFD there
				return ""
			}
			d.i += n
		}
	}
	d.fail()
	return ""
}

// plainByte marks the bytes that stand for themselves in a JSON string.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// unescape finishes a string that has escapes, from start.
func (d *decoder) unescape(start int) string {
	var b strings.Builder // its String does not copy
	b.Grow(d.i - start + 64)
	b.WriteString(d.s[start:d.i])
	for d.i < len(d.s) {
		c := d.s[d.i]
		switch {
		case c == '"':
			d.i++
			return b.String()
		case c < 0x20:
			d.fail()
			return ""
		case c == '\\':
			if d.i+1 >= len(d.s) {
				d.fail()
				return ""
			}
			e := d.s[d.i+1]
			d.i += 2
			switch e {
			case '"', '\\', '/':
				b.WriteByte(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				r := d.hex4()
				if utf16.IsSurrogate(r) {
					if r >= 0xDC00 || !d.literal(`\u`) {
						d.fail() // a lone surrogate becomes U+FFFD in encoding/json
						return ""
					}
					r2 := d.hex4()
					if r = utf16.DecodeRune(r, r2); r == utf8.RuneError {
						d.fail()
						return ""
					}
				}
				if !d.ok {
					return ""
				}
				b.WriteRune(r)
			default:
				d.fail()
				return ""
			}
		case c < utf8.RuneSelf:
			b.WriteByte(c)
			d.i++
		default:
			r, n := utf8.DecodeRuneInString(d.s[d.i:])
			if r == utf8.RuneError && n == 1 {
				d.fail()
				return ""
			}
			b.WriteString(d.s[d.i : d.i+n])
			d.i += n
		}
	}
	d.fail()
	return ""
}

func (d *decoder) hex4() rune {
	if d.i+4 > len(d.s) {
		d.fail()
		return 0
	}
	var r rune
	for _, c := range []byte(d.s[d.i : d.i+4]) {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			d.fail()
			return 0
		}
		r = r<<4 | rune(c)
	}
	d.i += 4
	return r
}

// member reads the next key of an object whose '{' is consumed, and its
// colon; it returns false at the closing brace (consumed) or on failure.
// n counts the members read so far.
func (d *decoder) member(n *int) (string, bool) {
	c := d.peek()
	if c == '}' {
		d.i++
		return "", false
	}
	if *n > 0 {
		if c != ',' {
			d.fail()
			return "", false
		}
		d.i++
	}
	*n++
	key := d.str()
	if d.peek() != ':' {
		d.fail()
		return "", false
	}
	d.i++
	return key, d.ok
}

// object consumes the '{' of an object; false (and no failure) for null,
// failure for anything else.
func (d *decoder) object() bool {
	switch d.peek() {
	case '{':
		d.i++
		return true
	case 'n':
		if d.literal("null") {
			return false
		}
	}
	d.fail()
	return false
}

// skip consumes any valid JSON value.
func (d *decoder) skip() {
	if d.depth++; d.depth > 1000 {
		d.fail()
	}
	defer func() { d.depth-- }()
	switch c := d.peek(); {
	case c == '"':
		d.str()
	case c == '{':
		d.i++
		for n := 0; d.ok; {
			if _, more := d.member(&n); !more {
				break
			}
			d.skip()
		}
	case c == '[':
		d.i++
		for n := 0; d.ok; n++ {
			c := d.peek()
			if c == ']' {
				d.i++
				break
			}
			if n > 0 {
				if c != ',' {
					d.fail()
					break
				}
				d.i++
			}
			d.skip()
		}
	case c == 't':
		d.ok = d.ok && d.literal("true")
	case c == 'f':
		d.ok = d.ok && d.literal("false")
	case c == 'n':
		d.ok = d.ok && d.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		d.number()
	default:
		d.fail()
	}
}

// number consumes a number of JSON's grammar.
func (d *decoder) number() {
	digits := func() int {
		n := 0
		for d.i < len(d.s) && '0' <= d.s[d.i] && d.s[d.i] <= '9' {
			d.i++
			n++
		}
		return n
	}
	if d.s[d.i] == '-' {
		d.i++
	}
	if d.i < len(d.s) && d.s[d.i] == '0' {
		d.i++
	} else if digits() == 0 {
		d.fail()
		return
	}
	if d.i < len(d.s) && d.s[d.i] == '.' {
		d.i++
		if digits() == 0 {
			d.fail()
			return
		}
	}
	if d.i < len(d.s) && (d.s[d.i] == 'e' || d.s[d.i] == 'E') {
		d.i++
		if d.i < len(d.s) && (d.s[d.i] == '+' || d.s[d.i] == '-') {
			d.i++
		}
		if digits() == 0 {
			d.fail()
		}
	}
}

// setString reads a string into *dst; null leaves it as it is, as
// encoding/json does.
func (d *decoder) setString(dst *string) {
	if !d.null() {
		*dst = d.str()
	}
}

func (d *decoder) setBool(dst *bool) {
	switch {
	case d.null():
	case d.literal("true"):
		*dst = true
	case d.literal("false"):
		*dst = false
	default:
		d.fail()
	}
}

// setSpan records where an object (or null) is; a second one of the same
// name is declined (encoding/json would merge them).
func (d *decoder) setSpan(dst *span, seen *bool) {
	if *seen {
		d.fail()
		return
	}
	*seen = true
	d.ws()
	from := d.i
	if d.null() {
		return
	}
	if d.peek() != '{' {
		d.fail()
		return
	}
	d.skip()
	*dst = span{from: from, to: d.i, present: true}
}

// unknown skips the value of a key the edge does not read, declining keys
// encoding/json could match case-insensitively to one of known.
func (d *decoder) unknown(key string, known ...string) {
	for i := 0; i < len(key); i++ {
		if key[i] >= utf8.RuneSelf {
			d.fail()
			return
		}
	}
	for _, k := range known {
		if strings.EqualFold(key, k) {
			d.fail()
			return
		}
	}
	d.skip()
}

var (
	topKeys = []string{"version", "httpMethod", "rawPath", "rawQueryString", "path", "body", "isBase64Encoded",
		"cookies", "headers", "multiValueHeaders", "queryStringParameters", "multiValueQueryStringParameters",
		"requestContext",
		// The keys of other sources (probe): their events take the other path.
		"methodArn", "routeArn", "Records", "assignmentId", "assignmentIds", "userPrincipalName", "userObjectId", "detail"}
	contextKeys = []string{"accountId", "domainName", "apiId", "stage", "requestId", "protocol", "path",
		"identity", "http", "elb", "connectionId"}
	httpKeys     = []string{"method", "protocol", "sourceIp"}
	identityKeys = []string{"sourceIp"}
	elbKeys      = []string{"targetGroupArn"}
)

// decodeHTTPEvent reads an HTTP event of any source. ok is false when the
// payload must take the encoding/json path.
func decodeHTTPEvent(payload []byte, ev *httpEvent) bool {
	ents := ev.ents[:0] // the caller's array, if it lent one
	*ev = httpEvent{d: decoder{s: string(payload), ok: true}}
	ev.vals = make([]string, 0, 24)
	ev.ents = ents
	d := &ev.d
	if !d.object() {
		return false
	}
	var seen [4]bool
	for n := 0; d.ok; {
		key, more := d.member(&n)
		if !more {
			break
		}
		switch key {
		case "version":
			d.setString(&ev.version)
		case "httpMethod":
			d.setString(&ev.httpMethod)
		case "rawPath":
			d.setString(&ev.rawPath)
		case "rawQueryString":
			d.setString(&ev.rawQuery)
		case "path":
			d.setString(&ev.path)
		case "body":
			d.setString(&ev.body)
		case "isBase64Encoded":
			d.setBool(&ev.base64)
		case "cookies":
			ev.cookies = d.appendStrings(nil)
		case "headers":
			if seen[0] {
				d.fail()
			}
			seen[0] = true
			d.headers(ev, &ev.single, false)
		case "multiValueHeaders":
			if seen[1] {
				d.fail()
			}
			seen[1] = true
			ev.mvPresent = d.headers(ev, &ev.multi, true)
		case "queryStringParameters":
			d.setSpan(&ev.query, &seen[2])
		case "multiValueQueryStringParameters":
			d.setSpan(&ev.mvQuery, &seen[3])
		case "requestContext":
			d.requestContext(ev)
		default:
			if !d.ok {
				break
			}
			for _, k := range topKeys[13:] {
				if key == k {
					d.fail()
				}
			}
			d.unknown(key, topKeys...)
		}
	}
	if d.ws(); d.i != len(d.s) {
		d.fail()
	}
	return d.ok
}

// appendStrings reads an array of strings onto vs (null: nothing).
func (d *decoder) appendStrings(vs []string) []string {
	if d.null() {
		return vs
	}
	if d.peek() != '[' {
		d.fail()
		return vs
	}
	d.i++
	if vs == nil {
		vs = make([]string, 0, 4)
	}
	for n := 0; d.ok; n++ {
		c := d.peek()
		if c == ']' {
			d.i++
			break
		}
		if n > 0 {
			if c != ',' {
				d.fail()
				break
			}
			d.i++
		}
		vs = append(vs, d.str())
	}
	return vs
}

func (d *decoder) requestContext(ev *httpEvent) {
	if !d.object() {
		return
	}
	for n := 0; d.ok; {
		key, more := d.member(&n)
		if !more {
			break
		}
		switch key {
		case "accountId":
			d.setString(&ev.accountID)
		case "domainName":
			d.setString(&ev.domainName)
		case "apiId":
			d.setString(&ev.apiID)
		case "stage":
			d.setString(&ev.stage)
		case "requestId":
			d.setString(&ev.requestID)
		case "protocol":
			d.setString(&ev.protocol)
		case "path":
			d.setString(&ev.ctxPath)
		case "identity":
			d.small(identityKeys, &ev.identitySourceIP)
		case "elb":
			d.small(elbKeys, &ev.targetGroupARN)
		case "http":
			d.small(httpKeys, &ev.httpMethodV2, &ev.httpProtocol, &ev.httpSourceIP)
		case "connectionId":
			d.fail() // WebSocket API: the other path
		default:
			d.unknown(key, contextKeys...)
		}
	}
}

// small reads an object whose keys of interest are keys, into dst in order.
func (d *decoder) small(keys []string, dst ...*string) {
	if !d.object() {
		return
	}
	for n := 0; d.ok; {
		key, more := d.member(&n)
		if !more {
			break
		}
		i := 0
		for i < len(keys) && keys[i] != key {
			i++
		}
		if i < len(keys) {
			d.setString(dst[i])
		} else {
			d.unknown(key, keys...)
		}
	}
}

// source tells the event's source as classify does (the keys that make
// classify answer otherwise were declined).
func (ev *httpEvent) source() source {
	switch {
	case ev.targetGroupARN != "":
		return sourceALB
	case ev.version == "2.0" && ev.httpMethodV2 != "":
		if strings.Contains(ev.domainName, ".lambda-url.") {
			return sourceFunctionURL
		}
		return sourceHTTPAPI
	case ev.httpMethod != "" && ev.accountID != "":
		return sourceREST
	}
	return sourceUnknown
}

// entPool lends each event its header entries, which are done with once the
// request is built: one allocation of 24 entries fewer per event.
var entPool = sync.Pool{New: func() any { s := make([]headerEntry, 0, 24); return &s }}

// returnEntries puts ents back into p and p into the pool, cleared so that
// no key of the event stays reachable, unless an event with many headers
// grew the array.
func returnEntries(p *[]headerEntry, ents []headerEntry) {
	if cap(ents) > 64 {
		return
	}
	clear(ents)
	*p = ents[:0]
	entPool.Put(p)
}

// headerEntry is one header of the event, its values ev.vals[v0:v1].
type headerEntry struct {
	key              string
	canon            bool // the canonical key is ev.keys[from:to]
	from, to, v0, v1 int
}

// headers reads a map[string]string (multi false) or a map[string][]string
// of headers into entries, the values into ev.vals and the keys that need
// canonicalising into ev.keys. It reports whether there was an object
// (false for null).
func (d *decoder) headers(ev *httpEvent, span *[2]int, multi bool) bool {
	span[0], span[1] = len(ev.ents), len(ev.ents)
	if !d.object() {
		return false
	}
	defer func() { span[1] = len(ev.ents) }()
	for n := 0; d.ok; {
		key, more := d.member(&n)
		if !more {
			break
		}
		en := headerEntry{key: key, v0: len(ev.vals)}
		if needsCanonical(key) {
			if ev.keys.Cap() == 0 {
				ev.keys.Grow(256)
			}
			en.canon, en.from = true, ev.keys.Len()
			appendCanonical(&ev.keys, key)
			en.to = ev.keys.Len()
		}
		if multi {
			if d.peek() != '[' {
				d.fail()
				break
			}
			d.i++
			for m := 0; d.ok; m++ {
				c := d.peek()
				if c == ']' {
					d.i++
					break
				}
				if m > 0 {
					if c != ',' {
						d.fail()
						break
					}
					d.i++
				}
				ev.vals = append(ev.vals, d.str())
			}
		} else {
			ev.vals = append(ev.vals, d.str())
		}
		en.v1 = len(ev.vals)
		ev.ents = append(ev.ents, en)
	}
	return d.ok
}

// header puts the entries into a new header map under canonical keys (in
// ks, the string of ev.keys), declining two keys that share one (their
// order in the map would be map order in encoding/json's reading).
func (d *decoder) header(entries []headerEntry, ks string, vals []string) http.Header {
	h := make(http.Header, len(entries)+3) // room for build's
	for _, en := range entries {
		ck := en.key
		if en.canon {
			ck = ks[en.from:en.to]
		}
		if _, dup := h[ck]; dup {
			d.fail()
			break
		}
		if en.v0 == en.v1 {
			h[ck] = nil
		} else {
			h[ck] = vals[en.v0:en.v1:en.v1]
		}
	}
	return h
}

// needsCanonical reports whether http.CanonicalHeaderKey would change s: it
// leaves keys with bytes that are not a token's as they are.
func needsCanonical(s string) bool {
	changes, upper := false, true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isTokenByte(c) {
			return false
		}
		if upper && 'a' <= c && c <= 'z' || !upper && 'A' <= c && c <= 'Z' {
			changes = true
		}
		upper = c == '-'
	}
	return changes
}

// appendCanonical writes s in http.CanonicalHeaderKey's form: a key at a
// time, through a buffer on the stack when it fits.
func appendCanonical(dst *strings.Builder, s string) {
	var buf [64]byte
	b := buf[:0]
	upper := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if upper && 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		} else if !upper && 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
		upper = c == '-'
	}
	dst.Write(b)
}

// isTokenByte reports whether c may appear in a header name (RFC 7230
// token), as net/textproto's table says.
func isTokenByte(c byte) bool { return tokenByte[c] }

var tokenByte = func() (t [256]bool) {
	for c := range 256 {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			strings.IndexByte("!#$%&'*+-.^_`|~", byte(c)) >= 0
	}
	return t
}()

// query builds a query string from the spans of the query maps as
// restQuery (escape url.QueryEscape) or albQuery (escape nil) builds it
// from the decoded maps, without the maps: the multi-value map when it has
// keys, else the single one, names sorted. A name twice in one map is
// declined (encoding/json keeps the last).
func (d *decoder) query(single, multi span, vals *[]string, escape func(string) string) string {
	type entry struct {
		key    string
		v0, v1 int
	}
	var entryArray [32]entry
	entries := entryArray[:0]
	read := func(sp span, multi bool) {
		if !sp.present || !d.ok {
			return
		}
		d.i = sp.from
		d.object()
		for n := 0; d.ok; {
			key, more := d.member(&n)
			if !more {
				break
			}
			en := entry{key: key, v0: len(*vals)}
			switch {
			case d.peek() == 'n':
				d.fail()
			case multi:
				*vals = d.appendStrings(*vals)
			default:
				*vals = append(*vals, d.str())
			}
			en.v1 = len(*vals)
			entries = append(entries, en)
		}
	}
	read(multi, true)
	if len(entries) > 0 {
		d.checkMap(single, false)
	} else {
		read(single, false)
	}
	if len(entries) == 0 || !d.ok {
		return ""
	}
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.key, b.key) })
	var b strings.Builder
	if escape == nil { // the length is known: one allocation
		n := 0
		for _, en := range entries {
			for _, v := range (*vals)[en.v0:en.v1] {
				n += len(en.key) + len(v) + 2
			}
		}
		b.Grow(n)
	}
	for i, en := range entries {
		if i > 0 && en.key == entries[i-1].key {
			d.fail()
			return ""
		}
		k := en.key
		if escape != nil {
			k = escape(k)
		}
		for _, v := range (*vals)[en.v0:en.v1] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(k)
			b.WriteByte('=')
			if escape != nil {
				v = escape(v)
			}
			b.WriteString(v)
		}
	}
	return b.String()
}

// checkMap checks that a span holds a map[string]string (multi false) or a
// map[string][]string, as encoding/json would while decoding it, for the
// maps of the event type the edge does not read.
func (d *decoder) checkMap(sp span, multi bool) {
	if !sp.present || !d.ok {
		return
	}
	d.i = sp.from
	d.object()
	for n := 0; d.ok; {
		if _, more := d.member(&n); !more {
			break
		}
		if multi {
			if d.peek() == 'n' {
				d.fail()
			}
			d.appendStrings(nil)
		} else {
			d.str()
		}
	}
}

// request turns the event, of source src, into the edge's request; ok is
// false when the event must take the encoding/json path after all. multi
// is the load balancer's mode.
func (ev *httpEvent) request(src source) (e *httpRequest, multi, ok bool) {
	d := &ev.d
	var h http.Header
	vals, ks := ev.vals, ev.keys.String()
	e = &httpRequest{body: ev.body, base64: ev.base64}
	switch src {
	case sourceHTTPAPI, sourceFunctionURL:
		h = d.header(ev.ents[ev.single[0]:ev.single[1]], ks, vals)
		d.checkMap(ev.query, false)
		if len(ev.cookies) > 0 {
			if h == nil {
				h = http.Header{}
			}
			h["Cookie"] = []string{strings.Join(ev.cookies, "; ")}
		}
		e.method, e.rawQuery = ev.httpMethodV2, ev.rawQuery
		e.path, e.prefix = stripStage(ev.rawPath, ev.stage, ev.domainName, ev.apiID)
		e.host, e.sourceIP, e.proto = ev.domainName, ev.httpSourceIP, ev.httpProtocol
	case sourceREST, sourceALB:
		if ev.multi[1] > ev.multi[0] {
			h = d.header(ev.ents[ev.multi[0]:ev.multi[1]], ks, vals)
		} else {
			h = d.header(ev.ents[ev.single[0]:ev.single[1]], ks, vals)
		}
		e.method, e.path = ev.httpMethod, ev.path
		if src == sourceREST {
			e.rawQuery = d.query(ev.query, ev.mvQuery, &vals, url.QueryEscape)
			e.host, e.sourceIP, e.proto = ev.domainName, ev.identitySourceIP, ev.protocol
			e.prefix = stagePrefix(ev.ctxPath, ev.path)
		} else {
			e.rawQuery = d.query(ev.query, ev.mvQuery, &vals, nil)
			e.sourceIP, e.proto = lastForwardedFor(h), "HTTP/1.1"
			multi = ev.mvPresent
		}
	default:
		return nil, false, false
	}
	if h == nil {
		h = make(http.Header, 3)
	}
	e.header, e.spare = h, vals
	return e, multi, d.ok
}

// serveDecoded serves an event the fast decoder read; ok is false when it
// must take the encoding/json path.
func (h *Handler) serveDecoded(ctx context.Context, id string, ev *httpEvent) (out []byte, ok bool) {
	src := ev.source()
	e, multi, ok := ev.request(src)
	if !ok {
		return nil, false
	}
	if id == "" && src != sourceALB {
		id = ev.requestID
	}
	resp := h.serveHTTP(ctx, id, src, e)
	switch src {
	case sourceREST:
		return restResponse(resp), true
	case sourceHTTPAPI:
		return httpAPIResponse(resp), true
	case sourceFunctionURL:
		return functionURLResponse(resp), true
	}
	return albResponse(resp, multi), true
}
