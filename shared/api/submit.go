package api

import (
	"net/http"

	"github.com/entra-tools/reprocess/shared/reprocess"
)

// reprocessByBody serves POST /api/reprocess: the core's parser tells the
// body's shape (one id, a batch, a user's delivered assignments, a
// custom-extension payload); with a callbackUrl the answer goes to a Logic
// Apps HTTP Webhook action instead (callback.go).
func reprocessByBody(d Deps) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := readJSON(r)
		if err != nil {
			writeError(w, r, err)
			return
		}
		req, err := reprocess.ParseBody(body)
		if err != nil {
			writeError(w, r, err)
			return
		}
		work := func(w http.ResponseWriter, r *http.Request) {
			if req.Single != nil {
				reprocessOne(d, w, r, *req.Single)
				return
			}
			items, err := d.Core.Items(r.Context(), req)
			if err != nil {
				writeError(w, r, err)
				return
			}
			reprocessItems(d, w, r, items)
		}
		if req.CallbackURL != nil {
			subscribe(d, w, r, req, work)
			return
		}
		work(w, r)
	})
}
