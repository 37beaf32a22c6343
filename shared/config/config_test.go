package config

import (
	"strings"
	"testing"
	"time"
)

const (
	tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	client = "4a1aa1d5-c567-49d0-ad0b-cd957a47f842"
)

func getenv(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func secretEnv() map[string]string {
	return map[string]string{
		"GRAPH_TENANT_ID": tenant, "GRAPH_CLIENT_ID": client,
		"KEYVAULT_URL": "https://myvault.vault.azure.net/", "GRAPH_CLIENT_SECRET_NAME": "graph-secret",
		"AZURE_TENANT_ID": tenant, "AZURE_CLIENT_ID": client, "AZURE_CLIENT_SECRET": "s3cr3t-value",
	}
}

func TestLoadDefaults(t *testing.T) {
	c, err := Load(getenv(secretEnv()))
	if err != nil {
		t.Fatalf("Load() error = %v", err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"Runtime", c.Runtime, Local},
		{"Addr", c.Addr, "127.0.0.1:7071"},
		{"GraphAuth", c.GraphAuth, GraphSecret},
		{"Identity.Kind", c.Identity.Kind, ClientSecret},
		{"RequestTimeout", c.RequestTimeout, 25 * time.Second},
		{"GraphBaseURL", c.Cloud.GraphBaseURL, "https://graph.microsoft.com/v1.0"},
		{"GraphScope", c.Cloud.GraphScope(), "https://graph.microsoft.com/.default"},
		{"AuthorityHost", c.Cloud.AuthorityHost, "https://login.microsoftonline.com/"},
		{"CallbackAllowedHosts", strings.Join(c.CallbackAllowedHosts, ","), ".logic.azure.com"},
		{"Auth", c.Auth == nil, true},
		{"Webhooks", len(c.Webhooks), 0},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}
}

func TestLoadRuntimeAndModes(t *testing.T) {
	tests := []struct {
		name  string
		set   map[string]string
		check func(t *testing.T, c Config)
	}{
		{"lambda wins", map[string]string{"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001", "FUNCTIONS_CUSTOMHANDLER_PORT": "5000"}, func(t *testing.T, c Config) {
			if c.Runtime != Lambda {
				t.Errorf("Runtime = %v, want %v", c.Runtime, Lambda)
			}
		}},
		{"azure functions", map[string]string{"FUNCTIONS_CUSTOMHANDLER_PORT": "5000"}, func(t *testing.T, c Config) {
			if c.Runtime != AzureFunctions || c.Addr != "127.0.0.1:5000" {
				t.Errorf("Runtime, Addr = %v, %v; want azure-functions, 127.0.0.1:5000", c.Runtime, c.Addr)
			}
		}},
		{"PORT", map[string]string{"PORT": "8080"}, func(t *testing.T, c Config) {
			if c.Addr != "127.0.0.1:8080" {
				t.Errorf("Addr = %v, want 127.0.0.1:8080", c.Addr)
			}
		}},
		{"certificate preferred", map[string]string{"GRAPH_CERTIFICATE_NAME": "graph-cert"}, func(t *testing.T, c Config) {
			if c.GraphAuth != GraphCertificate {
				t.Errorf("GraphAuth = %v, want certificate", c.GraphAuth)
			}
		}},
		{"usgov cloud", map[string]string{"GRAPH_CLOUD": "usgov"}, func(t *testing.T, c Config) {
			if c.Cloud.GraphBaseURL != "https://graph.microsoft.us/v1.0" || c.Cloud.AuthorityHost != "https://login.microsoftonline.us/" || c.Cloud.GraphScope() != "https://graph.microsoft.us/.default" {
				t.Errorf("Cloud = %+v", c.Cloud)
			}
		}},
		{"china cloud", map[string]string{"GRAPH_CLOUD": "China"}, func(t *testing.T, c Config) {
			if c.Cloud.GraphHost() != "microsoftgraph.chinacloudapi.cn" || c.Cloud.AuthorityHost != "https://login.chinacloudapi.cn/" {
				t.Errorf("Cloud = %+v", c.Cloud)
			}
		}},
		{"overrides", map[string]string{"GRAPH_BASE_URL": "https://graph.contoso.example/v1.0/", "AZURE_AUTHORITY_HOST": "https://login.contoso.example"}, func(t *testing.T, c Config) {
			if c.Cloud.GraphBaseURL != "https://graph.contoso.example/v1.0" || c.Cloud.GraphScope() != "https://graph.contoso.example/.default" || c.Cloud.AuthorityHost != "https://login.contoso.example/" {
				t.Errorf("Cloud = %+v", c.Cloud)
			}
		}},
		{"timeout", map[string]string{"REQUEST_TIMEOUT": "10s"}, func(t *testing.T, c Config) {
			if c.RequestTimeout != 10*time.Second {
				t.Errorf("RequestTimeout = %v, want 10s", c.RequestTimeout)
			}
		}},
		{"webhook", map[string]string{"WEBHOOK_GITHUB_SECRET_NAME": "gh", "WEBHOOK_JIRA_SECRET_NAME": "jira", "WEBHOOK_JIRA_ID_POINTER": "/issue/fields/customfield_1"}, func(t *testing.T, c Config) {
			if c.Webhooks["github"] != (Webhook{SecretName: "gh", IDPointer: "/assignmentId"}) || c.Webhooks["jira"].IDPointer != "/issue/fields/customfield_1" || len(c.Webhooks) != 2 {
				t.Errorf("Webhooks = %+v", c.Webhooks)
			}
		}},
		{"auth", map[string]string{"AUTH_AUDIENCE": "api://reprocess", "AUTH_REQUIRED_ROLE": "Reprocess.Invoke"}, func(t *testing.T, c Config) {
			if c.Auth == nil || *c.Auth != (Auth{Audience: "api://reprocess", RequiredRole: "Reprocess.Invoke"}) {
				t.Errorf("Auth = %+v", c.Auth)
			}
		}},
		{"callback hosts", map[string]string{"CALLBACK_ALLOWED_HOSTS": " .logic.azure.com, .Logic.Azure.US ,"}, func(t *testing.T, c Config) {
			if got := strings.Join(c.CallbackAllowedHosts, ","); got != ".logic.azure.com,.logic.azure.us" {
				t.Errorf("CallbackAllowedHosts = %q", got)
			}
		}},
		{"managed identity on azure", map[string]string{"AZURE_CLIENT_SECRET": "", "FUNCTIONS_CUSTOMHANDLER_PORT": "1", "AZURE_TENANT_ID": ""}, func(t *testing.T, c Config) {
			if c.Identity.Kind != ManagedIdentity || c.Identity.ClientID != client {
				t.Errorf("Identity = %v %v, want managed identity with user-assigned client id", c.Identity.Kind, c.Identity.ClientID)
			}
		}},
		{"platform identity calls graph", map[string]string{"GRAPH_CLIENT_SECRET_NAME": "", "KEYVAULT_URL": "", "GRAPH_CLIENT_ID": "", "IDENTITY_ENDPOINT": "http://127.0.0.1:41/msi/token", "AZURE_CLIENT_SECRET": ""}, func(t *testing.T, c Config) {
			if c.GraphAuth != GraphPlatform || c.Identity.Kind != ManagedIdentity || c.NeedsKeyVault() {
				t.Errorf("GraphAuth, Identity, NeedsKeyVault = %v, %v, %v", c.GraphAuth, c.Identity.Kind, c.NeedsKeyVault())
			}
		}},
		{"aws federation", map[string]string{"AWS_LAMBDA_RUNTIME_API": "x", "AZURE_CLIENT_SECRET": "", "AZURE_TOKEN_FROM_AWS_STS": "true", "AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "sk", "AWS_ENDPOINT_URL_STS": "https://sts.example"}, func(t *testing.T, c Config) {
			if c.Identity.Kind != AWSFederation || c.Identity.AWS.Region != "eu-west-1" || c.Identity.AWS.STSEndpoint != "https://sts.example" {
				t.Errorf("Identity = %+v", c.Identity)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := secretEnv()
			for k, v := range tc.set {
				env[k] = v
			}
			c, err := Load(getenv(env))
			if err != nil {
				t.Fatalf("Load() error = %v", err)
			}
			tc.check(t, c)
		})
	}
}

func TestLoadAuthNeedsTenantGUIDAndOneAudience(t *testing.T) {
	env := secretEnv()
	env["GRAPH_TENANT_ID"] = "contoso.onmicrosoft.com"
	env["AUTH_AUDIENCE"] = "api://a, api://b"
	env["AUTH_REQUIRED_ROLE"] = "Reprocess.Invoke"
	_, err := Load(getenv(env))
	if err == nil {
		t.Fatal("Load() error = nil, want problems")
	}
	for _, want := range []string{"GRAPH_TENANT_ID \"contoso.onmicrosoft.com\" must be the tenant's GUID", "AUTH_AUDIENCE \"api://a, api://b\" must be one audience"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Load() error lacks %q:\n%s", want, err)
		}
	}
}

func TestLoadReportsEveryProblemAtOnce(t *testing.T) {
	env := map[string]string{
		"GRAPH_CLIENT_SECRET_NAME":   "bad name!",
		"AZURE_CLIENT_SECRET":        "do-not-print-me",
		"GRAPH_CLOUD":                "mars",
		"REQUEST_TIMEOUT":            "forever",
		"AUTH_AUDIENCE":              "api://x",
		"PORT":                       "99999",
		"GRAPH_BASE_URL":             "http://graph.microsoft.com/v1.0",
		"WEBHOOK_GITHUB_SECRET_NAME": "gh",
		"WEBHOOK_GITHUB_ID_POINTER":  "assignmentId",
		"WEBHOOK_JIRA_SECRET_NAME":   "jira",
		"WEBHOOK_JIRA_ID_POINTER":    "/issue/fields/a~2b",
	}
	_, err := Load(getenv(env))
	if err == nil {
		t.Fatal("Load() error = nil, want problems")
	}
	msg := err.Error()
	for _, want := range []string{
		"GRAPH_TENANT_ID is required", "GRAPH_CLIENT_ID is required", "KEYVAULT_URL is required",
		"secret name \"bad name!\"", "GRAPH_CLOUD \"mars\"", "REQUEST_TIMEOUT \"forever\"",
		"AUTH_AUDIENCE and AUTH_REQUIRED_ROLE must be set together", "PORT \"99999\"", "GRAPH_BASE_URL",
		"WEBHOOK_GITHUB_ID_POINTER", "WEBHOOK_JIRA_ID_POINTER", "AZURE_TENANT_ID and AZURE_CLIENT_ID are required",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("Load() error lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "do-not-print-me") {
		t.Errorf("Load() error prints a secret value:\n%s", msg)
	}
	if lines := strings.Count(msg, "\n") + 1; lines < 12 {
		t.Errorf("Load() error has %d lines, want one per problem:\n%s", lines, msg)
	}
}

func TestLoadTelemetry(t *testing.T) {
	tests := []struct {
		name             string
		env              map[string]string
		wantURL, service string
		wantErr          string
	}{
		{"unset: nothing exported", nil, "", DefaultServiceName, ""},
		{"service name alone exports nothing", map[string]string{"OTEL_SERVICE_NAME": "ops"}, "", "ops", ""},
		{"base endpoint gets /v1/traces", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://localhost:4318"}, "http://localhost:4318/v1/traces", DefaultServiceName, ""},
		{"base endpoint with a slash", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "https://otel.example.com/otlp/"}, "https://otel.example.com/otlp/v1/traces", DefaultServiceName, ""},
		{"traces endpoint as given, first", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://a:4318", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://b:4318/custom"}, "http://b:4318/custom", DefaultServiceName, ""},
		{"gRPC-style endpoint refused", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "localhost:4317"}, "", "", "OTEL_EXPORTER_OTLP_ENDPOINT"},
		{"credentials in the URL refused", map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "https://u:p@collector/v1/traces"}, "", "", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := secretEnv()
			for k, v := range tc.env {
				env[k] = v
			}
			c, err := Load(getenv(env))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Load() error = %v, want one naming %s", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "u:p@") {
					t.Errorf("the error repeats the URL's credentials: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Load() error = %v", err)
			}
			if c.Telemetry.TracesURL != tc.wantURL || c.Telemetry.ServiceName != tc.service {
				t.Errorf("Telemetry = %+v, want URL %q service %q", c.Telemetry, tc.wantURL, tc.service)
			}
		})
	}
}
