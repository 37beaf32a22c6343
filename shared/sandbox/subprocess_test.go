package sandbox_test

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/entra-tools/reprocess/shared/sandbox"
)

// A fresh process given only ProcessEnv reaches the sandbox with Go's
// default client, and trusts nothing else: this runs the test binary again
// as that process.
func TestSubprocessWithProcessEnv(t *testing.T) {
	t.Parallel()
	if os.Getenv("SANDBOX_SUBPROCESS_URL") != "" {
		t.Skip("this is the subprocess")
	}
	tenant := sandbox.NewForTest(t, sandbox.Options{})
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(),
		"SANDBOX_SUBPROCESS_URL=" + assignmentURL(tenant.Seeds.Delivered[0]),
		"SANDBOX_SUBPROCESS_TOKEN=" + graphToken(t, tenant)}
	cmd := exec.Command(os.Args[0], "-test.run=^TestSubprocessHelper$", "-test.v")
	cmd.Env = append(env, tenant.ProcessEnv().Environ()...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("subprocess: %v\n%s", err, out)
	}
	for _, want := range []string{"sandbox: 200", "other: refused"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("subprocess output lacks %q:\n%s", want, out)
		}
	}
}

func TestSubprocessHelper(t *testing.T) {
	u := os.Getenv("SANDBOX_SUBPROCESS_URL")
	if u == "" {
		t.Skip("only run by TestSubprocessWithProcessEnv")
	}
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Authorization", "Bearer "+os.Getenv("SANDBOX_SUBPROCESS_TOKEN"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	fmt.Printf("sandbox: %d\n", resp.StatusCode)
	if _, err := http.Get("https://example.com/"); err != nil {
		fmt.Println("other: refused")
	}
}
