package azstorage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/shared/jobs/azstorage"
)

var errorsIs = errors.Is

func TestClaimOncePerWindowAcrossStores(t *testing.T) {
	ctx := context.Background()
	o, table := azuriteOptions(t), unique("replay")
	a, _ := azstorage.NewStore(o, table)
	b, _ := azstorage.NewStore(o, table) // another instance
	for _, c := range []struct {
		store *azstorage.Store
		key   string
		want  bool
	}{{a, "github/id/1", true}, {b, "github/id/1", false}, {a, "github/id/1", false}, {b, "github/id/2", true}} {
		if got, err := c.store.Claim(ctx, c.key, time.Minute); err != nil || got != c.want {
			t.Fatalf("Claim(%s) = %v, %v; want %v", c.key, got, err, c.want)
		}
	}
	if err := a.Release(ctx, "github/id/1"); err != nil {
		t.Fatal(err)
	}
	if got, err := b.Claim(ctx, "github/id/1", time.Minute); err != nil || !got {
		t.Fatalf("Claim after Release = %v, %v; want true", got, err)
	}
	// An expired record is taken over even before the purge removes it.
	if got, _ := a.Claim(ctx, "github/id/3", -time.Second); !got {
		t.Fatal("first claim of id 3 refused")
	}
	if got, err := b.Claim(ctx, "github/id/3", time.Minute); err != nil || !got {
		t.Fatalf("Claim over an expired record = %v, %v; want true", got, err)
	}
}
