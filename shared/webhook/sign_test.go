package webhook_test

import (
	"encoding/base64"
	"net/http"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/shared/webhook"
	"github.com/entra-tools/reprocess/shared/webhook/webhooktest"
)

// Test secrets, one per source, in the form each sender hands out.
var secrets = map[webhook.Source]string{
	webhook.GitHub:    "gh-test-secret",
	webhook.Jira:      "jira-test-secret",
	webhook.PagerDuty: "pd-test-secret",
	webhook.Zendesk:   "zd-test-secret",
	webhook.Standard:  "whsec_" + base64.StdEncoding.EncodeToString([]byte("standard-test-secret-24b")),
}

// signed returns the headers a sender with secret would send for body at
// time at, with delivery id id.
func signed(tb testing.TB, source webhook.Source, secret, id, body string, at time.Time) http.Header {
	tb.Helper()
	h, err := webhooktest.Sign(source, secret, id, body, at)
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

func signatureHeader(source webhook.Source) string { return webhooktest.SignatureHeader(source) }
