package sandbox

import (
	"net/http"
	"strconv"
)

// defaultPageSize is the sandbox's page size for lists; Graph does not
// document its own.
const defaultPageSize = 100

// SetPageSize sets how many items a list answers per page (n < 1: the
// default, 100), so tests can make many pages from a few items.
func (g *GraphServer) SetPageSize(n int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.pageSize = n
}

// pageOptions reads $top (default the page size) and $skiptoken (where
// the page starts; 0 when absent). It writes Graph's 400 and answers
// ok=false for a malformed option.
func (g *GraphServer) pageOptions(w http.ResponseWriter, r *http.Request) (top, skip int, ok bool) {
	q := r.URL.Query()
	g.mu.Lock()
	top = g.pageSize
	g.mu.Unlock()
	if top < 1 {
		top = defaultPageSize
	}
	var err error
	if s := q.Get("$top"); s != "" {
		if top, err = strconv.Atoi(s); err != nil || top < 1 || top > 999 {
			graphError(w, http.StatusBadRequest, "BadRequest", "Invalid value for $top: it must be an integer from 1 to 999.")
			return 0, 0, false
		}
	}
	if s := q.Get("$skiptoken"); s != "" {
		if skip, err = strconv.Atoi(s); err != nil || skip < 0 {
			graphError(w, http.StatusBadRequest, "BadRequest", "The $skiptoken is not valid.")
			return 0, 0, false
		}
	}
	return top, skip, true
}

// nextPageLink is the request's URL with $skiptoken set to token.
func nextPageLink(r *http.Request, token int) string {
	q := r.URL.Query()
	q.Set("$skiptoken", strconv.Itoa(token))
	return "https://" + hostOnly(r.Host) + r.URL.Path + "?" + q.Encode()
}
