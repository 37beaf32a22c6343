package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestEachPackageLeavesOutTheOtherCloudsStorage checks, with go list, that the
// Functions handler (azureTags) has no AWS job backend and the Lambda
// bootstrap (lambdaTags) no Azure Storage clients: each would only add size
// to a package where it can never run.
func TestEachPackageLeavesOutTheOtherCloudsStorage(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		tags      string
		forbidden []string
	}{
		{azureTags, []string{"/shared/jobs/awsjobs", "github.com/aws/aws-sdk-go-v2", "/shared/awslambda"}},
		{lambdaTags, []string{"github.com/Azure/azure-sdk-for-go/sdk/storage/", "github.com/Azure/azure-sdk-for-go/sdk/data/aztables"}},
	}
	for _, c := range cases {
		t.Run(c.tags, func(t *testing.T) {
			cmd := exec.Command("go", "list", "-deps", "-tags", c.tags, "./functions")
			cmd.Dir = root
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("go list: %v\n%s", err, out)
			}
			for _, dep := range strings.Fields(string(out)) {
				for _, f := range c.forbidden {
					if strings.Contains(dep, f) {
						t.Errorf("built with -tags %s, ./functions depends on %s", c.tags, dep)
					}
				}
			}
		})
	}
}
