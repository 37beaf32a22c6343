// Command floor is the benchmark's floor: the reprocess call the product
// makes, written with the standard library only, started as the Functions
// host starts the product (FUNCTIONS_CUSTOMHANDLER_PORT, a managed identity,
// the Graph app's client secret in Key Vault). It answers GET / and
// POST /api/assignments/{id}/reprocess; everything else is 404.
//
// The chain is the product's: a managed-identity token for Key Vault, the
// Graph app's secret from Key Vault, an Entra client-credentials token for
// Graph, and Graph's reprocess POST. Tokens and the secret are cached until
// five minutes before they expire, as the product caches them; every request
// writes one JSON log line, as the product does. It is not shipped.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	f := &floor{
		hc:       &http.Client{Transport: transport(), Timeout: 30 * time.Second},
		endpoint: os.Getenv("IDENTITY_ENDPOINT"), header: os.Getenv("IDENTITY_HEADER"),
		vault:  strings.TrimRight(os.Getenv("KEYVAULT_URL"), "/"),
		secret: os.Getenv("GRAPH_CLIENT_SECRET_NAME"),
		tenant: os.Getenv("GRAPH_TENANT_ID"), client: os.Getenv("GRAPH_CLIENT_ID"),
		log: slog.New(slog.NewJSONHandler(os.Stdout, nil)),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	mux.HandleFunc("POST /api/assignments/{id}/reprocess", f.reprocess)
	srv := &http.Server{Addr: "127.0.0.1:" + os.Getenv("FUNCTIONS_CUSTOMHANDLER_PORT"), Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

// transport is the one keep-alive pool for the identity endpoint, Key Vault,
// Entra and Graph, sized for 64 concurrent callers.
func transport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 64
	return t
}

type floor struct {
	hc                                  *http.Client
	endpoint, header, vault, secret     string
	tenant, client                      string
	log                                 *slog.Logger
	vaultToken, graphSecret, graphToken cached
}

// cached is one value that expires, fetched by one caller at a time.
type cached struct {
	mu      sync.Mutex
	value   string
	renewAt time.Time
}

func (c *cached) get(fetch func() (string, time.Time, error)) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.value != "" && time.Now().Before(c.renewAt) {
		return c.value, nil
	}
	v, exp, err := fetch()
	if err != nil {
		return "", err
	}
	c.value, c.renewAt = v, exp.Add(-5*time.Minute)
	return v, nil
}

func (f *floor) reprocess(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := r.PathValue("id")
	status, err := f.call(r.Context(), id)
	if err != nil {
		status = http.StatusBadGateway
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"assignmentId":%q,"status":%d}`, id, status)
	f.log.Info("request", "method", r.Method, "path", r.URL.Path, "status", status,
		"duration_ms", time.Since(start).Milliseconds(), "error", errString(err))
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// call asks Graph to reprocess id and returns Graph's status.
func (f *floor) call(ctx context.Context, id string) (int, error) {
	tok, err := f.graphToken.get(func() (string, time.Time, error) { return f.entraToken(ctx) })
	if err != nil {
		return 0, err
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost,
		"https://graph.microsoft.com/v1.0/identityGovernance/entitlementManagement/assignments/"+url.PathEscape(id)+"/reprocess", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := f.hc.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

type token struct {
	AccessToken string          `json:"access_token"`
	ExpiresIn   json.RawMessage `json:"expires_in"`
	ExpiresOn   json.RawMessage `json:"expires_on"`
}

func (t token) expiry() time.Time {
	if n, err := strconv.ParseInt(strings.Trim(string(t.ExpiresOn), `"`), 10, 64); err == nil {
		return time.Unix(n, 0)
	}
	n, _ := strconv.ParseInt(strings.Trim(string(t.ExpiresIn), `"`), 10, 64)
	return time.Now().Add(time.Duration(n) * time.Second)
}

// entraToken is the Graph app's client-credentials token, its secret read
// from Key Vault.
func (f *floor) entraToken(ctx context.Context) (string, time.Time, error) {
	secret, err := f.graphSecret.get(func() (string, time.Time, error) { return f.vaultSecret(ctx) })
	if err != nil {
		return "", time.Time{}, err
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {f.client}, "client_secret": {secret},
		"scope": {"https://graph.microsoft.com/.default"}}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost,
		"https://login.microsoftonline.com/"+url.PathEscape(f.tenant)+"/oauth2/v2.0/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	var t token
	if err := f.getJSON(req, &t); err != nil {
		return "", time.Time{}, fmt.Errorf("entra: %w", err)
	}
	return t.AccessToken, t.expiry(), nil
}

// vaultSecret reads the Graph app's secret with the managed identity; the
// product rereads it after its TTL (an hour) for rotation.
func (f *floor) vaultSecret(ctx context.Context) (string, time.Time, error) {
	tok, err := f.vaultToken.get(func() (string, time.Time, error) { return f.identityToken(ctx) })
	if err != nil {
		return "", time.Time{}, err
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, f.vault+"/secrets/"+url.PathEscape(f.secret)+"?api-version=7.5", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	var s struct {
		Value string `json:"value"`
	}
	if err := f.getJSON(req, &s); err != nil {
		return "", time.Time{}, fmt.Errorf("key vault: %w", err)
	}
	return s.Value, time.Now().Add(time.Hour + 5*time.Minute), nil
}

// identityToken is the App Service managed identity's token for Key Vault.
func (f *floor) identityToken(ctx context.Context) (string, time.Time, error) {
	q := url.Values{"api-version": {"2019-08-01"}, "resource": {"https://vault.azure.net"}}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, f.endpoint+"?"+q.Encode(), nil)
	req.Header.Set("X-IDENTITY-HEADER", f.header)
	var t token
	if err := f.getJSON(req, &t); err != nil {
		return "", time.Time{}, fmt.Errorf("managed identity: %w", err)
	}
	return t.AccessToken, t.expiry(), nil
}

func (f *floor) getJSON(req *http.Request, v any) error {
	resp, err := f.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, resp.Body)
		return fmt.Errorf("%s %s: %d", req.Method, req.URL.Host, resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}
