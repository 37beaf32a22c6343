package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/entra-tools/reprocess/shared/config"
	"github.com/entra-tools/reprocess/shared/jobs/awsjobs/awsjobstest"
	"github.com/entra-tools/reprocess/shared/sandbox"
)

// With Lambda SnapStart the role session is not in the environment: the
// function asks the container credentials endpoint, with its token, and
// that one session signs the STS call of keyless federation and the SQS
// and DynamoDB calls of jobs alike (one chain, one endpoint call).
func TestLambdaSnapStartCredentials(t *testing.T) {
	tenant := sandbox.NewForTest(t, sandbox.Options{DeliveringFor: sandbox.StayDelivered})
	id, secret, session := tenant.AWSCredentials()
	var calls atomic.Int32
	endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.Header.Get("Authorization") != "snapstart-token" {
			http.Error(w, `{"code":"AccessDenied"}`, http.StatusForbidden)
			return
		}
		json.NewEncoder(w).Encode(map[string]string{"AccessKeyId": id, "SecretAccessKey": secret, "Token": session,
			"Expiration": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)})
	}))
	t.Cleanup(endpoint.Close)

	env := tenant.AWSEnv()
	env["AWS_LAMBDA_RUNTIME_API"] = "127.0.0.1:9001"
	env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], env["AWS_SESSION_TOKEN"] = "", "", ""
	env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = endpoint.URL + "/2021-04-23/credentials"
	env["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "snapstart-token"
	env["JOBS_QUEUE_URL"] = tenant.SQS.QueueURL(sandbox.AWSRegion, sandbox.SQSJobsQueue)
	env["AWS_ENDPOINT_URL_DYNAMODB"] = awsjobstest.Table(t, config.DefaultJobsTable)
	s := newStackWith(t, tenant, env)

	id0 := tenant.Seeds.Delivered[0]
	if resp := s.do(t, http.MethodPost, "/api/assignments/"+id0+"/reprocess", ""); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("reprocess: %d, want 202 (keyless federation signed with the container session)", resp.StatusCode)
	}
	if n := tenant.CountFunc(func(r sandbox.Request) bool { return r.Service == sandbox.STS && r.Status == 200 }); n != 1 {
		t.Errorf("successful STS calls = %d, want 1", n)
	}
	resp := s.do(t, http.MethodPost, "/api/jobs", `{"accessPackageId":"`+tenant.Seeds.AccessPackages[0].ID+`"}`)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("POST /api/jobs: %d, want 202", resp.StatusCode)
	}
	if got := tenant.SQS.Messages(sandbox.SQSJobsQueue); len(got) == 0 {
		t.Errorf("no job message reached SQS (which checks the signature)")
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("container endpoint calls = %d, want 1 (one cached chain for STS, SQS and DynamoDB)", n)
	}
}
