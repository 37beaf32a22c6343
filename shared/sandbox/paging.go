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

// paginate reads $top and $skiptoken for a list of n items and answers the
// slice [lo, hi) to send and the @odata.nextLink ("" on the last page).
// It writes Graph's 400 and answers ok=false for a malformed option.
func (g *GraphServer) paginate(w http.ResponseWriter, r *http.Request, n int) (lo, hi int, next string, ok bool) {
	q := r.URL.Query()
	g.mu.Lock()
	top := g.pageSize
	g.mu.Unlock()
	if top < 1 {
		top = defaultPageSize
	}
	var err error
	if s := q.Get("$top"); s != "" {
		if top, err = strconv.Atoi(s); err != nil || top < 1 || top > 999 {
			graphError(w, http.StatusBadRequest, "BadRequest", "Invalid value for $top: it must be an integer from 1 to 999.")
			return 0, 0, "", false
		}
	}
	if s := q.Get("$skiptoken"); s != "" {
		if lo, err = strconv.Atoi(s); err != nil || lo < 0 {
			graphError(w, http.StatusBadRequest, "BadRequest", "The $skiptoken is not valid.")
			return 0, 0, "", false
		}
	}
	lo = min(lo, n)
	hi = min(lo+top, n)
	if hi < n {
		q.Set("$skiptoken", strconv.Itoa(hi))
		next = "https://" + hostOnly(r.Host) + r.URL.Path + "?" + q.Encode()
	}
	return lo, hi, next, true
}
