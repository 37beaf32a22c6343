package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/entra-tools/reprocess/shared/invocation"
)

// The Logic Apps HTTP Webhook action: its subscribe call carries
// "callbackUrl": "@{listCallbackUrl()}"; we answer 202 at once, do the work,
// and POST the answer the call would have had to that URL. The URL holds a
// SAS signature in its query, so it is never logged, only its host.
// https://learn.microsoft.com/azure/connectors/connectors-native-webhook
const (
	callbackTimeout  = 10 * time.Second // one POST
	callbackAttempts = 3                // on a network error, 429 or 5xx
	maxCallbackURL   = 2048
)

// parseCallbackURL accepts only an https URL, without user info or a
// fragment, on the default port, whose host ends with one of allowed
// (".logic.azure.com" matches "prod-01.westeurope.logic.azure.com").
func parseCallbackURL(raw string, allowed []string) (*url.URL, error) {
	refuse := func(why string) error {
		return &Problem{Status: http.StatusBadRequest, Code: "InvalidCallbackUrl",
			Message: `The "callbackUrl" ` + why + `; it must be the https URL of a Logic Apps HTTP Webhook action (@{listCallbackUrl()}) on an allowed host.`}
	}
	if len(raw) > maxCallbackURL {
		return nil, refuse("is too long")
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "":
		return nil, refuse("is not an absolute URL")
	case u.Scheme != "https":
		return nil, refuse("is not https")
	case u.User != nil || u.Fragment != "" || strings.Contains(raw, "#"):
		return nil, refuse("has user info or a fragment")
	case u.Port() != "" && u.Port() != "443":
		return nil, refuse("names a port other than 443")
	}
	host := strings.ToLower(u.Hostname())
	for _, suffix := range allowed {
		s := strings.TrimPrefix(strings.ToLower(suffix), ".")
		if s != "" && (host == s || strings.HasSuffix(host, "."+s)) {
			return u, nil
		}
	}
	return nil, refuse("is on a host that CALLBACK_ALLOWED_HOSTS does not allow")
}

// subscribed is the 202 body of a subscribe call.
type subscribed struct {
	Status       string `json:"status"` // "subscribed"
	AssignmentID string `json:"assignmentId,omitempty"`
	Assignments  int    `json:"assignmentCount,omitempty"`
}

// subscribe answers the subscribe call and runs work afterwards, detached
// from the call, with a deadline of its own.
func subscribe(d Deps, w http.ResponseWriter, r *http.Request, sub submission, work http.HandlerFunc) {
	if d.CallbackClient == nil {
		writeError(w, r, &Problem{Status: http.StatusBadRequest, Code: "CallbacksDisabled", Message: "This deployment does not send callbacks; call without callbackUrl."})
		return
	}
	rec := recordOf(r)
	rec.code = "Subscribed"
	rec.attrs = append(rec.attrs, slog.String("callbackHost", sub.callback.Hostname()))
	body := subscribed{Status: "subscribed", Assignments: len(sub.batch)}
	if sub.single != nil {
		body.AssignmentID, body.Assignments = sub.single.String(), 1
	}
	writeJSON(w, http.StatusAccepted, body)

	bg := context.WithoutCancel(r.Context())
	info, _ := invocation.FromContext(r.Context())
	invocationID := invocationID(r, info)
	go func() {
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.WithValue(bg, recordKey{}, &record{route: rec.route}), requestTimeout(d))
		defer cancel()
		res := &answerWriter{header: http.Header{}}
		work(res, r.Clone(ctx))
		status, err := deliverCallback(bg, d.CallbackClient, sub.callback, res)
		attrs := []slog.Attr{slog.String("invocationId", invocationID), slog.String("route", rec.route), slog.Int("status", res.status),
			slog.String("callbackHost", sub.callback.Hostname()), slog.Int("callbackStatus", status),
			slog.Int64("durationMs", time.Since(start).Milliseconds())}
		level := slog.LevelInfo
		if err != nil {
			level = slog.LevelError
			attrs = append(attrs, slog.String("error", err.Error()))
		}
		d.Logger.LogAttrs(bg, level, "callback", attrs...)
	}()
}

func requestTimeout(d Deps) time.Duration {
	if d.RequestTimeout > 0 {
		return d.RequestTimeout
	}
	return 25 * time.Second
}

// deliverCallback POSTs the answer; the status of the work travels in
// X-Reprocess-Status (the callback's own status means "received"). Redirects
// are not followed: a callback URL that redirects is not the Logic App's.
func deliverCallback(ctx context.Context, client *http.Client, u *url.URL, res *answerWriter) (int, error) {
	c := *client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if c.Timeout == 0 || c.Timeout > callbackTimeout {
		c.Timeout = callbackTimeout
	}
	var status int
	var err error
	for attempt := 0; attempt < callbackAttempts; attempt++ {
		if attempt > 0 && !sleepFor(ctx, time.Duration(1<<(attempt-1))*time.Second) {
			break
		}
		status, err = postOnce(ctx, &c, u, res)
		if err == nil && status < 300 {
			return status, nil
		}
		if err == nil && status != http.StatusTooManyRequests && status < 500 {
			break
		}
	}
	if err == nil {
		err = fmt.Errorf("callback to %s answered %d", u.Hostname(), status)
	}
	return status, err
}

func postOnce(ctx context.Context, c *http.Client, u *url.URL, res *answerWriter) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(res.body.Bytes()))
	if err != nil {
		return 0, fmt.Errorf("callback request to %s: %w", u.Hostname(), redacted(err))
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("X-Reprocess-Status", strconv.Itoa(res.status))
	if rid := res.header.Get("X-Graph-Request-Id"); rid != "" {
		req.Header.Set("X-Graph-Request-Id", rid)
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, fmt.Errorf("callback to %s: %w", u.Hostname(), redacted(err))
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	return resp.StatusCode, nil
}

// redacted drops the URL (and its signature) from a client error.
func redacted(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

func sleepFor(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
