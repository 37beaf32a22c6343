package awssts_test

import (
	"net/http"
	"os"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/entra-tools/reprocess/shared/awscreds"
	"github.com/entra-tools/reprocess/shared/awssts"
	"github.com/entra-tools/reprocess/shared/config"
)

// The token source is the assertion callback of an Entra client assertion
// credential; the values come from the Lambda environment through config.
func ExampleTokenSource_Token() {
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		panic(err)
	}
	hc := &http.Client{Timeout: 10 * time.Second}
	ts, err := awssts.NewTokenSource(awssts.Config{
		Region: cfg.Identity.AWS.Region, // AWS_REGION
		// The environment's keys, or the container credentials endpoint.
		Credentials: awscreds.New(cfg.AWSCredentials, hc),
		HTTPClient:  hc,
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
