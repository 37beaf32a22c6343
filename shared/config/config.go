package config

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/entra-tools/reprocess/shared/assignment"
	"github.com/entra-tools/reprocess/shared/webhook"
)

// Runtime is where the binary runs, chosen at start.
type Runtime string

// The runtimes, in the order they are detected.
const (
	Lambda         Runtime = "aws-lambda"
	AzureFunctions Runtime = "azure-functions"
	Local          Runtime = "local"
)

// GraphAuth is how the function authenticates to Graph.
type GraphAuth string

// The ways to call Graph. A certificate is preferred over a client secret.
const (
	GraphCertificate GraphAuth = "certificate"       // GRAPH_CERTIFICATE_NAME from Key Vault
	GraphSecret      GraphAuth = "client-secret"     // GRAPH_CLIENT_SECRET_NAME from Key Vault
	GraphPlatform    GraphAuth = "platform-identity" // the platform identity itself
)

// IdentityKind is how the function proves who it is to Key Vault (and to
// Graph under GraphPlatform).
type IdentityKind string

// The platform identities.
const (
	ManagedIdentity IdentityKind = "managed-identity" // IDENTITY_ENDPOINT on Azure; AZURE_CLIENT_ID picks a user-assigned one
	ClientSecret    IdentityKind = "client-secret"    // AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET
	AWSFederation   IdentityKind = "aws-federation"   // AWS IAM outbound identity federation (sts:GetWebIdentityToken)
)

// Identity is the platform identity.
type Identity struct {
	Kind         IdentityKind
	TenantID     string
	ClientID     string // user-assigned managed identity, or the app of ClientSecret/AWSFederation
	ClientSecret string `json:"-"`
	AWS          AWS
}

// AWS holds what keyless federation needs from the Lambda environment
// besides the credentials (Config.AWSCredentials).
type AWS struct {
	Region      string
	STSEndpoint string // AWS_ENDPOINT_URL_STS or AWS_ENDPOINT_URL, else the regional endpoint
}

// Webhook is one signed ticketing-system source.
type Webhook struct {
	SecretName string // Key Vault secret holding the signing secret
	IDPointer  string // RFC 6901 pointer to the assignment id in the body
}

// Auth enables bearer-token checks on the /api routes.
type Auth struct {
	Audience, RequiredRole string
}

// Config is every setting, validated.
type Config struct {
	Runtime Runtime
	Port    string // loopback port for AzureFunctions and Local
	Addr    string // 127.0.0.1:Port

	TenantID string // GRAPH_TENANT_ID
	ClientID string // GRAPH_CLIENT_ID

	GraphAuth            GraphAuth
	GraphSecretName      string
	GraphCertificateName string
	KeyVaultURL          string

	Identity       Identity
	AWSCredentials AWSCredentials // the one AWS credential chain's sources (STS, SQS, DynamoDB)
	Cloud          Cloud

	RequestTimeout       time.Duration
	Webhooks             map[string]Webhook // by lowercase source name; only configured ones
	Auth                 *Auth              // nil when AUTH_AUDIENCE is unset
	CallbackAllowedHosts []string
	Telemetry            Telemetry
	Jobs                 Jobs
}

// Telemetry is where traces go: OpenTelemetry's standard variables.
type Telemetry struct {
	TracesURL   string // OTLP/HTTP traces endpoint; "" exports nothing
	ServiceName string // OTEL_SERVICE_NAME, default DefaultServiceName
}

// DefaultServiceName names the service in traces when OTEL_SERVICE_NAME is unset.
const DefaultServiceName = "reprocess"

// WebhookSources are the signed webhook sources, as they appear in routes.
var WebhookSources = []string{"github", "standard", "zendesk", "pagerduty", "jira"}

// DefaultRequestTimeout is under API Gateway's 29 s and Logic Apps' 120 s.
const DefaultRequestTimeout = 25 * time.Second

// Load reads and validates every setting. All problems are returned at once,
// joined, one line each; no value of a secret appears in them.
func Load(getenv func(string) string) (Config, error) {
	var problems []error
	bad := func(format string, args ...any) { problems = append(problems, fmt.Errorf(format, args...)) }
	env := func(name string) string { return strings.TrimSpace(getenv(name)) }

	c := Config{
		TenantID:             env("GRAPH_TENANT_ID"),
		ClientID:             env("GRAPH_CLIENT_ID"),
		GraphSecretName:      env("GRAPH_CLIENT_SECRET_NAME"),
		GraphCertificateName: env("GRAPH_CERTIFICATE_NAME"),
		KeyVaultURL:          env("KEYVAULT_URL"),
		RequestTimeout:       DefaultRequestTimeout,
		Webhooks:             map[string]Webhook{},
		CallbackAllowedHosts: []string{".logic.azure.com"},
	}

	switch {
	case env("AWS_LAMBDA_RUNTIME_API") != "":
		c.Runtime = Lambda
	case env("FUNCTIONS_CUSTOMHANDLER_PORT") != "":
		c.Runtime = AzureFunctions
		c.Port = env("FUNCTIONS_CUSTOMHANDLER_PORT")
		checkPort(c.Port, "FUNCTIONS_CUSTOMHANDLER_PORT", bad)
	default:
		c.Runtime = Local
		c.Port = env("PORT")
		if c.Port == "" {
			c.Port = "7071"
		}
		checkPort(c.Port, "PORT", bad)
	}
	if c.Port != "" {
		c.Addr = "127.0.0.1:" + c.Port
	}

	c.Cloud = loadCloud(env, bad)

	switch {
	case c.GraphCertificateName != "":
		c.GraphAuth = GraphCertificate
	case c.GraphSecretName != "":
		c.GraphAuth = GraphSecret
	default:
		c.GraphAuth = GraphPlatform
	}
	if c.GraphAuth != GraphPlatform {
		if c.TenantID == "" {
			bad("GRAPH_TENANT_ID is required with %s", graphAuthSetting(c.GraphAuth))
		}
		if c.ClientID == "" {
			bad("GRAPH_CLIENT_ID is required with %s", graphAuthSetting(c.GraphAuth))
		}
	}
	checkTenant("GRAPH_TENANT_ID", c.TenantID, bad)
	checkGUID("GRAPH_CLIENT_ID", c.ClientID, bad)

	for _, src := range WebhookSources {
		prefix := "WEBHOOK_" + strings.ToUpper(src) + "_"
		w := Webhook{SecretName: env(prefix + "SECRET_NAME"), IDPointer: env(prefix + "ID_POINTER")}
		if w.IDPointer == "" {
			w.IDPointer = webhook.DefaultIDPointer
		} else if _, err := webhook.ParsePointer(w.IDPointer); err != nil {
			bad("%sID_POINTER %.64q must be an RFC 6901 JSON pointer such as /assignmentId (\"~\" only as ~0 or ~1)", prefix, w.IDPointer)
		}
		if w.SecretName != "" {
			c.Webhooks[src] = w
		}
	}

	if c.NeedsKeyVault() || c.KeyVaultURL != "" {
		checkKeyVaultURL(c.KeyVaultURL, bad)
	}
	for _, name := range []string{c.GraphSecretName, c.GraphCertificateName} {
		checkSecretName(name, bad)
	}
	for _, w := range c.Webhooks {
		checkSecretName(w.SecretName, bad)
	}

	c.Identity = loadIdentity(c.Runtime, env, getenv, bad)
	c.AWSCredentials = loadAWSCredentials(env, getenv, bad)
	if c.Identity.Kind == AWSFederation && !c.AWSCredentials.Configured() {
		bad("AZURE_TOKEN_FROM_AWS_STS needs AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, " +
			"or AWS_CONTAINER_CREDENTIALS_FULL_URI (Lambda sets one or the other)")
	}
	if c.Identity.Kind == "" && (c.NeedsKeyVault() || c.GraphAuth == GraphPlatform) {
		bad("no identity to reach %s: set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET, "+
			"or run on Azure with a managed identity (IDENTITY_ENDPOINT), or on Lambda with AZURE_TOKEN_FROM_AWS_STS=true",
			c.identityUse())
	}

	if v := env("REQUEST_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		switch {
		case err != nil:
			bad("REQUEST_TIMEOUT %q is not a duration such as 25s", v)
		case d < time.Second || d > 230*time.Second:
			bad("REQUEST_TIMEOUT %s must be between 1s and 230s (the Azure load balancer's limit)", d)
		default:
			c.RequestTimeout = d
		}
	}

	aud, role := env("AUTH_AUDIENCE"), env("AUTH_REQUIRED_ROLE")
	switch {
	case aud != "" && role != "":
		c.Auth = &Auth{Audience: aud, RequiredRole: role}
		switch {
		case c.TenantID == "":
			bad("GRAPH_TENANT_ID is required with AUTH_AUDIENCE: it names the token issuer")
		case !isGUID(c.TenantID):
			bad("GRAPH_TENANT_ID %q must be the tenant's GUID with AUTH_AUDIENCE: token issuers name the tenant by GUID", c.TenantID)
		}
		if strings.ContainsAny(aud, " \t,") {
			bad("AUTH_AUDIENCE %.64q must be one audience: the API's client id (or its App ID URI)", aud)
		}
	case aud != "" || role != "":
		bad("AUTH_AUDIENCE and AUTH_REQUIRED_ROLE must be set together")
	}

	if v := env("CALLBACK_ALLOWED_HOSTS"); v != "" {
		c.CallbackAllowedHosts = nil
		for _, h := range strings.Split(v, ",") {
			if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
				c.CallbackAllowedHosts = append(c.CallbackAllowedHosts, h)
			}
		}
		if len(c.CallbackAllowedHosts) == 0 {
			bad("CALLBACK_ALLOWED_HOSTS has no host suffix")
		}
	}

	c.Telemetry = loadTelemetry(env, bad)
	c.Jobs = loadJobs(c.Runtime, env, bad)

	if len(problems) > 0 {
		return Config{}, errors.Join(problems...)
	}
	return c, nil
}

// NeedsKeyVault reports whether any secret is read from Key Vault.
func (c Config) NeedsKeyVault() bool {
	return c.GraphAuth != GraphPlatform || len(c.Webhooks) > 0
}

func (c Config) identityUse() string {
	if c.GraphAuth == GraphPlatform {
		return "Graph"
	}
	return "Key Vault"
}

func graphAuthSetting(a GraphAuth) string {
	if a == GraphCertificate {
		return "GRAPH_CERTIFICATE_NAME"
	}
	return "GRAPH_CLIENT_SECRET_NAME"
}

func checkPort(port, name string, bad func(string, ...any)) {
	if n, err := strconv.ParseUint(port, 10, 16); err != nil || n == 0 {
		bad("%s %q is not a TCP port", name, port)
	}
}

func loadCloud(env func(string) string, bad func(string, ...any)) Cloud {
	name := strings.ToLower(env("GRAPH_CLOUD"))
	if name == "" {
		name = "public"
	}
	c, ok := clouds[name]
	if !ok {
		names := make([]string, 0, len(clouds))
		for n := range clouds {
			names = append(names, n)
		}
		slices.Sort(names)
		bad("GRAPH_CLOUD %q is not one of %s", name, strings.Join(names, ", "))
		c = clouds["public"]
	}
	if v := env("GRAPH_BASE_URL"); v != "" {
		if u, err := url.Parse(v); err != nil || u.Scheme != "https" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			bad("GRAPH_BASE_URL %q must be an https URL such as https://graph.microsoft.com/v1.0", v)
		} else {
			c.GraphBaseURL = strings.TrimSuffix(v, "/")
		}
	}
	if v := env("AZURE_AUTHORITY_HOST"); v != "" {
		if u, err := url.Parse(v); err != nil || u.Scheme != "https" || u.Host == "" {
			bad("AZURE_AUTHORITY_HOST %q must be an https URL such as https://login.microsoftonline.com/", v)
		} else {
			c.AuthorityHost = strings.TrimSuffix(v, "/") + "/"
		}
	}
	return c
}

func loadIdentity(rt Runtime, env, rawenv func(string) string, bad func(string, ...any)) Identity {
	id := Identity{TenantID: env("AZURE_TENANT_ID"), ClientID: env("AZURE_CLIENT_ID"), ClientSecret: rawenv("AZURE_CLIENT_SECRET")}
	checkTenant("AZURE_TENANT_ID", id.TenantID, bad)
	checkGUID("AZURE_CLIENT_ID", id.ClientID, bad)
	needApp := func(kind string) {
		if id.TenantID == "" || id.ClientID == "" {
			bad("AZURE_TENANT_ID and AZURE_CLIENT_ID are required with %s", kind)
		}
	}
	switch {
	case strings.EqualFold(env("AZURE_TOKEN_FROM_AWS_STS"), "true"):
		id.Kind = AWSFederation
		needApp("AZURE_TOKEN_FROM_AWS_STS")
		id.AWS = AWS{Region: env("AWS_REGION"), STSEndpoint: env("AWS_ENDPOINT_URL_STS")}
		if id.AWS.STSEndpoint == "" {
			id.AWS.STSEndpoint = env("AWS_ENDPOINT_URL")
		}
		if id.AWS.Region == "" {
			bad("AWS_REGION is required with AZURE_TOKEN_FROM_AWS_STS")
		}
	case id.ClientSecret != "":
		id.Kind = ClientSecret
		needApp("AZURE_CLIENT_SECRET")
	case env("IDENTITY_ENDPOINT") != "" || env("MSI_ENDPOINT") != "" || rt == AzureFunctions:
		id.Kind = ManagedIdentity
	}
	return id
}

func checkKeyVaultURL(v string, bad func(string, ...any)) {
	if v == "" {
		bad("KEYVAULT_URL is required: a secret or certificate name is set")
		return
	}
	u, err := url.Parse(v)
	if err != nil || u.Scheme != "https" || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		bad("KEYVAULT_URL %q must be a vault URL such as https://myvault.vault.azure.net/", v)
	}
}

// Key Vault object names: 1-127 characters, alphanumerics and dashes.
func checkSecretName(name string, bad func(string, ...any)) {
	if name == "" {
		return
	}
	ok := len(name) <= 127
	for _, c := range name {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
			ok = false
		}
	}
	if !ok {
		bad("Key Vault secret name %q may hold only letters, digits and dashes (at most 127)", name)
	}
}

func checkGUID(name, v string, bad func(string, ...any)) {
	if v != "" && !isGUID(v) {
		bad("%s %q is not a GUID", name, v)
	}
}

// A tenant is a GUID or a verified domain name.
func checkTenant(name, v string, bad func(string, ...any)) {
	if v == "" || isGUID(v) {
		return
	}
	for _, c := range v {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.') {
			bad("%s %q is neither a GUID nor a domain name", name, v)
			return
		}
	}
}

func isGUID(s string) bool {
	_, err := assignment.ParseID(s)
	return err == nil
}

func originOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Scheme + "://" + u.Host
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

// loadTelemetry reads OpenTelemetry's exporter variables: the traces
// endpoint as given, else the base endpoint with /v1/traces appended.
// https://opentelemetry.io/docs/specs/otel/protocol/exporter/
func loadTelemetry(env func(string) string, bad func(string, ...any)) Telemetry {
	t := Telemetry{ServiceName: env("OTEL_SERVICE_NAME")}
	if t.ServiceName == "" {
		t.ServiceName = DefaultServiceName
	}
	name, v := "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
	if v == "" {
		name, v = "OTEL_EXPORTER_OTLP_ENDPOINT", env("OTEL_EXPORTER_OTLP_ENDPOINT")
		if v != "" {
			v = strings.TrimSuffix(v, "/") + "/v1/traces"
		}
	}
	if v == "" {
		return t
	}
	u, err := url.Parse(v)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		bad("%s must be an http:// or https:// URL of an OTLP/HTTP receiver, e.g. http://localhost:4318", name)
		return t
	case u.User != nil:
		bad("%s must not carry credentials; a Collector on the same host or network needs none", name)
		return t
	}
	t.TracesURL = v
	return t
}
