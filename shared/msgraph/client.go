package msgraph

import (
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	khttp "github.com/microsoft/kiota-http-go"
	jsonserialization "github.com/microsoft/kiota-serialization-json-go"
	msgraphgocore "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/microsoftgraph/msgraph-sdk-go-core/authentication"
	"github.com/microsoftgraph/msgraph-sdk-go/identitygovernance"
)

// sdkVersion is reported in Graph's SdkVersion telemetry header.
const sdkVersion = "1.89.0"

// Options says where Graph is and how to reach it.
type Options struct {
	BaseURL    string // e.g. https://graph.microsoft.com/v1.0
	Scope      string // e.g. https://graph.microsoft.com/.default
	Host       string // the Graph host the token may be sent to
	Credential azcore.TokenCredential
	Transport  http.RoundTripper              // shared with Key Vault and Entra; nil means http.DefaultTransport
	OnThrottle func(retryAfter time.Duration) // told of every 429 Graph answers (reprocess.Throttle.Hold)
}

// Client calls Graph. The SDK adapter is built on first use and then shared
// by every request of the process.
type Client struct {
	opts Options

	mu          sync.Mutex
	adapter     *msgraphgocore.GraphRequestAdapterBase
	assignments *identitygovernance.EntitlementManagementAssignmentsRequestBuilder
}

// New returns a client; it makes no request.
func New(opts Options) *Client {
	if opts.Transport == nil {
		opts.Transport = http.DefaultTransport
	}
	return &Client{opts: opts}
}

// builder returns the assignments request builder and its adapter.
func (c *Client) builder() (*identitygovernance.EntitlementManagementAssignmentsRequestBuilder, *msgraphgocore.GraphRequestAdapterBase, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.assignments != nil {
		return c.assignments, c.adapter, nil
	}
	auth, err := authentication.NewAzureIdentityAuthenticationProviderWithScopesAndValidHosts(
		newTokenCache(c.opts.Credential), []string{c.opts.Scope}, []string{c.opts.Host})
	if err != nil {
		return nil, nil, fmt.Errorf("graph authentication provider: %w", err)
	}
	options := msgraphgocore.GraphClientOptions{GraphServiceLibraryVersion: sdkVersion}
	// The middleware order is ours: the SDK's default list comes from a map
	// and changes order from one client to the next. Only what these calls
	// need: the telemetry handler (SdkVersion, and the client-request-id the
	// log line carries), retries, and the decoding of $filter and $select in
	// the lookups' query names. Left out, each a cost on every call: the
	// redirect handler (Graph does not redirect these calls, and the client
	// would follow one itself), the compression handler (it gzipped each
	// $batch body; Graph reads them plain as well) and the User-Agent
	// handler (SdkVersion already names the SDK).
	httpClient := &http.Client{Transport: khttp.NewCustomTransportWithParentTransport(observer{next: c.opts.Transport, onThrottle: c.opts.OnThrottle},
		msgraphgocore.NewGraphTelemetryHandler(&options),
		khttp.NewRetryHandlerWithOptions(retryOptions()),
		khttp.NewParametersNameDecodingHandler(),
	)}
	adapter, err := msgraphgocore.NewGraphRequestAdapterBaseWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(
		auth, options, jsonserialization.NewJsonParseNodeFactory(), jsonserialization.NewJsonSerializationWriterFactory(), httpClient)
	if err != nil {
		return nil, nil, fmt.Errorf("graph request adapter: %w", err)
	}
	adapter.SetBaseUrl(c.opts.BaseURL)
	c.adapter = adapter
	c.assignments = identitygovernance.NewEntitlementManagementAssignmentsRequestBuilderInternal(
		map[string]string{"baseurl": c.opts.BaseURL}, adapter)
	return c.assignments, c.adapter, nil
}
