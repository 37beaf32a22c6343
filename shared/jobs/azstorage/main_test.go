package azstorage_test

import (
	"crypto/rand"
	"fmt"
	"os"
	"testing"

	"github.com/entra-tools/reprocess/internal/testkit"
	"github.com/entra-tools/reprocess/shared/config"
	"github.com/entra-tools/reprocess/shared/jobs/azstorage"
)

// One Azurite serves every test of the package.
func TestMain(m *testing.M) {
	code := m.Run()
	testkit.StopAzurite()
	os.Exit(code)
}

// azuriteOptions are client options for the test process's Azurite.
func azuriteOptions(tb testing.TB) azstorage.Options {
	tb.Helper()
	a, err := azstorage.ParseAccount(config.Storage{ConnectionString: testkit.Azurite(tb).ConnectionString()})
	if err != nil {
		tb.Fatalf("ParseAccount: %v", err)
	}
	return azstorage.Options{Account: a}
}

// unique is a fresh queue or table name with prefix (letters only).
func unique(prefix string) string {
	var b [5]byte
	rand.Read(b[:])
	return fmt.Sprintf("%s%x", prefix, b)
}
