package api

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/entra-tools/reprocess/shared/invocation"
	"github.com/entra-tools/reprocess/shared/recorder"
	"github.com/entra-tools/reprocess/shared/reprocess"
)

// subscribed is the 202 body of a Logic Apps HTTP Webhook action's
// subscribe call.
type subscribed struct {
	Status       string `json:"status"` // "subscribed"
	AssignmentID string `json:"assignmentId,omitempty"`
	Assignments  int    `json:"assignmentCount,omitempty"`
}

// subscribe answers the subscribe call with 202 and runs work afterwards,
// detached from the call, with a deadline of its own; the answer work
// writes is POSTed to the callback URL (package callback).
func subscribe(d Deps, w http.ResponseWriter, r *http.Request, req reprocess.Request, work http.HandlerFunc) {
	if d.Callbacks == nil {
		writeError(w, r, &reprocess.Problem{Status: http.StatusBadRequest, Code: "CallbacksDisabled", Message: "This deployment does not send callbacks; call without callbackUrl."})
		return
	}
	u, err := d.Callbacks.ParseURL(*req.CallbackURL)
	if err != nil {
		writeError(w, r, err)
		return
	}
	rec := recordOf(r)
	rec.code = "Subscribed"
	rec.attrs = append(rec.attrs, slog.String("callbackHost", u.Hostname()))
	body := subscribed{Status: "subscribed", Assignments: len(req.Items)}
	if req.Single != nil {
		body.AssignmentID, body.Assignments = req.Single.String(), 1
	}
	writeJSON(w, http.StatusAccepted, body)

	bg := context.WithoutCancel(r.Context())
	info, _ := invocation.FromContext(r.Context())
	if d.Detached != nil {
		d.Detached.Add(1)
	}
	go callBack(d, bg, r, invocationID(r, info), rec.route, u, work)
}

// callBack does the work and delivers its answer. It runs on its own
// goroutine, so it recovers its own panics: one must not end the process.
func callBack(d Deps, bg context.Context, r *http.Request, invocationID, route string, u *url.URL, work http.HandlerFunc) {
	if d.Detached != nil {
		defer d.Detached.Done()
	}
	start := time.Now()
	attrs := []slog.Attr{slog.String("invocationId", invocationID), slog.String("route", route), slog.String("callbackHost", u.Hostname())}
	defer func() {
		if p := recover(); p != nil {
			d.Logger.LogAttrs(bg, slog.LevelError, "callback panicked", append(attrs, slog.Any("panic", p))...)
		}
	}()
	ctx, cancel := context.WithTimeout(context.WithValue(bg, recordKey{}, &record{route: route}), requestTimeout(d))
	defer cancel()
	res := recorder.New()
	work(res, r.Clone(ctx))
	answer := res.Result(http.MethodPost)
	status, err := d.Callbacks.Deliver(bg, u, answer)
	attrs = append(attrs, slog.Int("status", answer.Status), slog.Int("callbackStatus", status),
		slog.Int64("durationMs", time.Since(start).Milliseconds()))
	level := slog.LevelInfo
	if err != nil {
		level = slog.LevelError
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	d.Logger.LogAttrs(bg, level, "callback", attrs...)
}

func requestTimeout(d Deps) time.Duration {
	if d.RequestTimeout > 0 {
		return d.RequestTimeout
	}
	return 25 * time.Second
}
