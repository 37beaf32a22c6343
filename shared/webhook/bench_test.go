package webhook_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/shared/webhook"
)

func BenchmarkVerify(b *testing.B) {
	body := `{"assignmentId":"0b6c2a5e-58f5-4f4b-8a35-3c5c1b0f3c11","pad":"` + strings.Repeat("x", 4<<10) + `"}`
	now := time.Now()
	for _, source := range webhook.Sources() {
		b.Run(string(source), func(b *testing.B) {
			v := newVerifier(b, source, secrets[source])
			h := signed(b, source, secrets[source], "delivery-1", body, now)
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if _, err := v.VerifyAt(h, []byte(body), now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkReplayGuardDistinct(b *testing.B) {
	g := webhook.NewReplayGuard(30*time.Minute, 10000)
	work := func() webhook.Answer { return webhook.Answer{Status: http.StatusAccepted, Body: []byte(`{}`)} }
	keys := make([]string, 2)
	i := 0
	for b.Loop() {
		i++
		keys[0] = "github/id/" + strconv.Itoa(i)
		keys[1] = "github/sig/" + strconv.Itoa(i)
		if _, _, err := g.Do(context.Background(), keys, work); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLookupString(b *testing.B) {
	p, err := webhook.ParsePointer("/issue/fields/customfield_10042")
	if err != nil {
		b.Fatal(err)
	}
	doc := []byte(`{"webhookEvent":"jira:issue_updated","issue":{"key":"OPS-1","fields":{"summary":"` +
		strings.Repeat("y", 2<<10) + `","customfield_10042":"0b6c2a5e-58f5-4f4b-8a35-3c5c1b0f3c11"}}}`)
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if _, err := p.LookupString(doc); err != nil {
			b.Fatal(err)
		}
	}
}
