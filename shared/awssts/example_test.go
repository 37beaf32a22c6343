package awssts_test

import (
	"net/http"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/entra-tools/reprocess/shared/awssts"
)

// The token source is the assertion callback of an Entra client assertion
// credential; the values come from the Lambda environment through config.
func ExampleTokenSource_Token() {
	ts, err := awssts.NewTokenSource(awssts.Config{
		Region: "eu-west-1", // AWS_REGION
		Credentials: awssts.Credentials{
			AccessKeyID:     "ASIA…", // AWS_ACCESS_KEY_ID
			SecretAccessKey: "…",     // AWS_SECRET_ACCESS_KEY
			SessionToken:    "…",     // AWS_SESSION_TOKEN
		},
		HTTPClient: &http.Client{Timeout: 10 * time.Second},
	})
	if err != nil {
		panic(err)
	}
	cred, err := azidentity.NewClientAssertionCredential("<tenant id>", "<client id>", ts.Token, nil)
	if err != nil {
		panic(err)
	}
	_ = cred // e.g. azsecrets.NewClient(vaultURL, cred, nil)
}
