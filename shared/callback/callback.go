// Package callback serves the Logic Apps HTTP Webhook action: its subscribe
// call carries "callbackUrl": "@{listCallbackUrl()}"; the function answers
// 202 at once, does the work, and POSTs the answer the call would have had to
// that URL. The URL holds a SAS signature in its query, so it is never
// logged, only its host.
//
// https://learn.microsoft.com/azure/connectors/connectors-native-webhook
package callback

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/entra-tools/reprocess/shared/recorder"
	"github.com/entra-tools/reprocess/shared/reprocess"
	"github.com/entra-tools/reprocess/shared/sleep"
)

const (
	timeout  = 10 * time.Second // one POST
	attempts = 3                // on a network error, 429 or 5xx
	maxURL   = 2048
)

// Sender checks callback URLs and delivers answers to them.
type Sender struct {
	client  http.Client
	allowed []string
}

// NewSender returns a sender that posts through transport to hosts ending
// with one of allowed (CALLBACK_ALLOWED_HOSTS: ".logic.azure.com" matches
// "prod-01.westeurope.logic.azure.com"). Redirects are not followed: a
// callback URL that redirects is not the Logic App's.
func NewSender(transport http.RoundTripper, allowed []string) *Sender {
	return &Sender{allowed: allowed, client: http.Client{
		Transport:     transport,
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// ParseURL accepts only an https URL, without user info or a fragment, on
// the default port, on an allowed host.
func (s *Sender) ParseURL(raw string) (*url.URL, error) {
	refuse := func(why string) error {
		return &reprocess.Problem{Status: http.StatusBadRequest, Code: "InvalidCallbackUrl",
			Message: `The "callbackUrl" ` + why + `; it must be the https URL of a Logic Apps HTTP Webhook action (@{listCallbackUrl()}) on an allowed host.`}
	}
	if len(raw) > maxURL {
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
	for _, suffix := range s.allowed {
		sfx := strings.TrimPrefix(strings.ToLower(suffix), ".")
		if sfx != "" && (host == sfx || strings.HasSuffix(host, "."+sfx)) {
			return u, nil
		}
	}
	return nil, refuse("is on a host that CALLBACK_ALLOWED_HOSTS does not allow")
}

// Deliver POSTs the answer, retrying a network error, 429 or 5xx. The status
// of the work travels in X-Reprocess-Status (the callback's own status
// means "received").
func (s *Sender) Deliver(ctx context.Context, u *url.URL, answer recorder.Response) (int, error) {
	var status int
	var err error
	for attempt := 0; attempt < attempts; attempt++ {
		if attempt > 0 && !sleep.For(ctx, time.Duration(1<<(attempt-1))*time.Second) {
			break
		}
		status, err = s.post(ctx, u, answer)
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

func (s *Sender) post(ctx context.Context, u *url.URL, answer recorder.Response) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(answer.Body))
	if err != nil {
		return 0, fmt.Errorf("callback request to %s: %w", u.Hostname(), redacted(err))
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("X-Reprocess-Status", strconv.Itoa(answer.Status))
	if rid := answer.Header.Get("X-Graph-Request-Id"); rid != "" {
		req.Header.Set("X-Graph-Request-Id", rid)
	}
	resp, err := s.client.Do(req)
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
