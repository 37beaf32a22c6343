package msgraph

import (
	"context"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/entra-tools/reprocess/shared/assignment"
)

type noCredential struct{}

func (noCredential) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{}, nil
}

// The raw URL Reprocess gives the SDK is the one the SDK's own template
// expands to, for the base URLs of three national clouds and versions.
func TestReprocessURLIsTheSDKsExpansion(t *testing.T) {
	for _, base := range []string{"https://graph.microsoft.com/v1.0", "https://graph.microsoft.us/beta", "https://microsoftgraph.chinacloudapi.cn/v1.0"} {
		c := New(Options{BaseURL: base, Scope: "https://graph.microsoft.com/.default", Host: "graph.microsoft.com", Credential: noCredential{}})
		b, _, err := c.builder()
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{"6f1c2d3e-4a5b-4c6d-8e7f-000000000001", "ABCDEF01-2345-6789-abcd-ef0123456789"} {
			id, err := assignment.ParseID(s)
			if err != nil {
				t.Fatal(err)
			}
			info, err := b.ByAccessPackageAssignmentId(id.String()).Reprocess().ToPostRequestInformation(context.Background(), nil)
			if err != nil {
				t.Fatal(err)
			}
			want, err := info.GetUri()
			if err != nil {
				t.Fatal(err)
			}
			if got := c.reprocessURL(id); got != want.String() {
				t.Errorf("reprocessURL(%s) = %s, the SDK's template expands to %s", id, got, want)
			}
		}
	}
}
