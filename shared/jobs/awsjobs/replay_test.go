package awsjobs_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/shared/jobs/awsjobs"
	"github.com/entra-tools/reprocess/shared/jobs/awsjobs/awsjobstest"
)

func TestClaimOncePerWindowAcrossStores(t *testing.T) {
	ctx := context.Background()
	cfg := dynaliteConfig(t)
	a, b := awsjobs.NewStore(cfg), awsjobs.NewStore(cfg) // two instances, one table
	steps := []struct {
		name   string
		store  *awsjobs.Store
		key    string
		window time.Duration
		want   bool
	}{
		{"first claim", a, "github/id/1", time.Minute, true},
		{"another instance, same delivery", b, "github/id/1", time.Minute, false},
		{"the same instance again", a, "github/id/1", time.Minute, false},
		{"another delivery", b, "github/id/2", time.Minute, true},
		{"a claim already expired", a, "github/id/3", -time.Second, true},
		{"over an expired record (TTL not yet run)", b, "github/id/3", time.Minute, true},
		{"inside the renewed window", a, "github/id/3", time.Minute, false},
	}
	for _, s := range steps {
		if got, err := s.store.Claim(ctx, s.key, s.window); err != nil || got != s.want {
			t.Fatalf("%s: Claim(%s) = %v, %v; want %v", s.name, s.key, got, err, s.want)
		}
	}
	if err := a.Release(ctx, "github/id/1"); err != nil {
		t.Fatal(err)
	}
	if got, err := b.Claim(ctx, "github/id/1", time.Minute); err != nil || !got {
		t.Fatalf("Claim after Release = %v, %v; want true", got, err)
	}
	if err := a.Release(ctx, "github/id/never-claimed"); err != nil {
		t.Fatalf("Release of an unknown key: %v", err)
	}
}

// The record is keyed by a hash: the table holds no sender id, and it
// expires (TTL) when its window ends.
func TestClaimStoresAHashWithExpiry(t *testing.T) {
	ctx := context.Background()
	cfg := dynaliteConfig(t)
	before := time.Now()
	if _, err := awsjobs.NewStore(cfg).Claim(ctx, "github/id/secret-delivery-id", time.Hour); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("github/id/secret-delivery-id"))
	items := awsjobstest.Items(t, cfg.DynamoDBEndpoint, cfg.Table, "replay#"+hex.EncodeToString(sum[:]))
	if len(items) != 1 || items[0]["sk"]["S"] != "replay" {
		t.Fatalf("items under replay#<sha256 of the key>: %v, want one with sk replay", items)
	}
	it := items[0]
	for name, v := range it {
		if strings.Contains(v["S"], "secret-delivery-id") {
			t.Errorf("attribute %s stores the key in clear", name)
		}
	}
	exp, _ := strconv.ParseInt(it["expiresAt"]["N"], 10, 64)
	if exp < before.Add(time.Hour).Unix() || exp > time.Now().Add(time.Hour).Unix() {
		t.Errorf("expiresAt = %d, want about an hour from now", exp)
	}
}
