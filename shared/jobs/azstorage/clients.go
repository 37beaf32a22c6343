package azstorage

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/data/aztables"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azqueue"

	"github.com/entra-tools/reprocess/shared/jobs"
)

// retry keeps a dead or refusing endpoint from holding a request: two quick
// retries within a few seconds, then the caller hears ErrUnavailable (the
// routes answer 503 JobStoreUnavailable).
var retry = policy.RetryOptions{MaxRetries: 2, TryTimeout: 3 * time.Second, RetryDelay: 200 * time.Millisecond, MaxRetryDelay: time.Second}

// Options are what the clients share: the account, the managed identity's
// credential (Account.Identity only) and the HTTP client (nil: the default).
type Options struct {
	Account    Account
	Credential azcore.TokenCredential
	HTTPClient *http.Client
}

func (o Options) clientOptions() azcore.ClientOptions {
	c := azcore.ClientOptions{Retry: retry}
	if o.HTTPClient != nil {
		c.Transport = o.HTTPClient
	}
	// A dead host must not wait for the OS's connect timeout.
	if c.Transport == nil {
		c.Transport = &http.Client{Transport: &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			DialContext:         (&net.Dialer{Timeout: 3 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConnsPerHost: 16, IdleConnTimeout: 90 * time.Second, TLSHandshakeTimeout: 5 * time.Second,
		}}
	}
	return c
}

func newTableService(o Options) (*aztables.ServiceClient, error) {
	a, opts := o.Account, &aztables.ClientOptions{ClientOptions: o.clientOptions()}
	switch {
	case a.Identity:
		if o.Credential == nil {
			return nil, errors.New("identity-based AzureWebJobsStorage needs a managed identity")
		}
		return aztables.NewServiceClient(a.TableURL, o.Credential, opts)
	case a.sas != "":
		return aztables.NewServiceClientWithNoCredential(a.withSAS(a.TableURL), opts)
	}
	cred, err := aztables.NewSharedKeyCredential(a.Name, a.key)
	if err != nil {
		return nil, errors.New("AzureWebJobsStorage's AccountKey is not usable")
	}
	return aztables.NewServiceClientWithSharedKey(a.TableURL, cred, opts)
}

func newQueueService(o Options) (*azqueue.ServiceClient, error) {
	a, opts := o.Account, &azqueue.ClientOptions{ClientOptions: o.clientOptions()}
	switch {
	case a.Identity:
		if o.Credential == nil {
			return nil, errors.New("identity-based AzureWebJobsStorage needs a managed identity")
		}
		return azqueue.NewServiceClient(a.QueueURL, o.Credential, opts)
	case a.sas != "":
		return azqueue.NewServiceClientWithNoCredential(a.withSAS(a.QueueURL), opts)
	}
	cred, err := azqueue.NewSharedKeyCredential(a.Name, a.key)
	if err != nil {
		return nil, errors.New("AzureWebJobsStorage's AccountKey is not usable")
	}
	return azqueue.NewServiceClientWithSharedKeyCredential(a.QueueURL, cred, opts)
}

// statusOf is the storage service's HTTP status and error code, or 0 when
// it did not answer.
func statusOf(err error) (int, string) {
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		return re.StatusCode, re.ErrorCode
	}
	return 0, ""
}

// unavailable wraps a storage failure as jobs.ErrUnavailable, keeping the
// cause (and a context's error) matchable.
func unavailable(what string, err error) error {
	if status, code := statusOf(err); status != 0 {
		return fmt.Errorf("%s: %w: storage answered %d %s", what, jobs.ErrUnavailable, status, code)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w: %w", what, jobs.ErrUnavailable, err)
	}
	var ue *url.Error
	if errors.As(err, &ue) { // its URL may carry a SAS: name the host only
		host := ""
		if u, perr := url.Parse(ue.URL); perr == nil {
			host = u.Host
		}
		return fmt.Errorf("%s: %w: %s %s: %v", what, jobs.ErrUnavailable, ue.Op, host, ue.Err)
	}
	return fmt.Errorf("%s: %w: %v", what, jobs.ErrUnavailable, err)
}
