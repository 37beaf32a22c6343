package sandbox

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// Options configure a Tenant. The zero value is a good default.
type Options struct {
	// DeliveringFor is how long an assignment stays "delivering" after an
	// accepted reprocess before it is "delivered" again. Zero means the
	// default, 2s; StayDelivered (any negative value) skips "delivering".
	DeliveringFor time.Duration
	// TokenLifetime is the lifetime of issued access tokens; default 3599s.
	TokenLifetime time.Duration
	// ExtraHosts are more names (or "*.suffix" patterns) for the TLS
	// certificate and the proxy, for services added with Mount.
	ExtraHosts []string
	// Logger receives one debug line per request (never a secret or token)
	// and proxy refusals. Default: discard.
	Logger *slog.Logger
}

// StayDelivered, as Options.DeliveringFor, keeps reprocessed assignments
// delivered.
const StayDelivered time.Duration = -1

// Tenant is a running emulated tenant. All methods are safe for concurrent use.
type Tenant struct {
	Entra           *EntraServer
	ManagedIdentity *IdentityServer
	KeyVault        *KeyVaultServer
	Graph           *GraphServer
	STS             *STSServer // AWS STS and its outbound federation issuer
	SQS             *SQSServer // Amazon SQS, with the jobs queue and its dead-letter queue
	Seeds           Seeds

	opts   Options
	logger *slog.Logger
	log    requestLog
	ca     *authority
	hosts  []string
	dir    *directory
	tokens *tokenIssuer

	graphSecret    string
	readerSecret   string
	identityHeader string
	aws            awsSession // the Lambda execution role's credentials
	graphCert      rsaCert    // the Graph app's certificate credential
	signingKey     rsaCert    // signs caller tokens; published as the JWKS

	mountMu sync.RWMutex
	mounts  []mount

	tlsAddr, proxyAddr, identityAddr string
	servers                          []*http.Server
	proxy                            *connectProxy
	transport                        *http.Transport
	direct                           *http.Client // the sandbox's own fetches (Entra reading an issuer's keys)
	tmpDir, caFile, certDir          string
	closeOnce                        sync.Once
}

type mount struct {
	pattern string
	handler http.Handler
}

// Start generates the CA and credentials, seeds the data and starts the
// three loopback listeners. ctx bounds start-up only; call Close to stop.
func Start(ctx context.Context, opts Options) (*Tenant, error) {
	if opts.DeliveringFor == 0 {
		opts.DeliveringFor = 2 * time.Second
	}
	if opts.TokenLifetime <= 0 {
		opts.TokenLifetime = 3599 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	t := &Tenant{
		opts: opts, logger: opts.Logger, tokens: &tokenIssuer{},
		hosts:        slices.Concat(defaultHosts, awsHosts(), opts.ExtraHosts),
		graphSecret:  newClientSecret(),
		readerSecret: newClientSecret(),
		graphCert:    rsaCert{commonName: "reprocess-sandbox-graph-app"},
		signingKey:   rsaCert{commonName: "reprocess-sandbox-token-signing"},
		aws:          newAWSSession(),
	}
	t.identityHeader = randomToken(24)
	t.Entra = &EntraServer{t: t}
	t.ManagedIdentity = &IdentityServer{t: t}
	t.KeyVault = &KeyVaultServer{t: t, secrets: map[string][]*secretVersion{}}
	t.Graph = newGraphServer(t)
	t.STS = &STSServer{t: t, keys: &webIdentityKeys{}}
	t.SQS = newSQSServer(t)
	graphCerts := func() []*x509.Certificate {
		_, c := t.graphCert.mustGet()
		return []*x509.Certificate{c}
	}
	t.dir = newDirectory(
		&app{clientID: GraphAppClientID, objectID: "b7c8d9e0-f1a2-4b3c-8d4e-5f6a7b8c9d0e", name: "reprocess-graph",
			secrets: []*clientSecret{{value: t.graphSecret}}, certs: graphCerts, graph: true},
		&app{clientID: KeyVaultReaderClientID, objectID: "c8d9e0f1-a2b3-4c4d-9e5f-6a7b8c9d0e1f", name: "reprocess-keyvault-reader",
			secrets: []*clientSecret{{value: t.readerSecret}}, vault: true},
		&app{clientID: SystemIdentityClientID, objectID: "d9e0f1a2-b3c4-4d5e-8f6a-7b8c9d0e1f2a", name: "system-assigned identity",
			vault: true, graph: true},
		&app{clientID: UserIdentityClientID, objectID: UserIdentityObjectID, name: "sandbox-identity",
			vault: true, graph: true},
		&app{clientID: AWSFederatedClientID, objectID: "e0f1a2b3-c4d5-4e6f-9a0b-1c2d3e4f5a6b", name: "reprocess-aws-federated",
			federated: []FederatedCredential{AWSFederatedCredential()}, vault: true},
	)
	t.seed()

	ca, err := newAuthority(t.hosts)
	if err != nil {
		return nil, err
	}
	t.ca = ca
	if err := t.writeCA(); err != nil {
		t.Close()
		return nil, err
	}
	if err := t.listen(ctx); err != nil {
		t.Close()
		return nil, err
	}
	return t, nil
}

func (t *Tenant) listen(ctx context.Context) error {
	var lc net.ListenConfig
	listen := func() (net.Listener, error) { return lc.Listen(ctx, "tcp", "127.0.0.1:0") }
	tlsLn, err := listen()
	if err != nil {
		return err
	}
	proxyLn, err := listen()
	if err != nil {
		tlsLn.Close()
		return err
	}
	idLn, err := listen()
	if err != nil {
		tlsLn.Close()
		proxyLn.Close()
		return err
	}
	t.tlsAddr, t.proxyAddr, t.identityAddr = tlsLn.Addr().String(), proxyLn.Addr().String(), idLn.Addr().String()
	t.proxy = &connectProxy{t: t, target: t.tlsAddr, conns: map[net.Conn]struct{}{}}

	errorLog := log.New(io.Discard, "", 0) // TLS handshake noise from clients that distrust the CA
	newServer := func(h http.Handler) *http.Server {
		s := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: errorLog}
		t.servers = append(t.servers, s)
		return s
	}
	tlsSrv := newServer(t.router())
	tlsSrv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{t.ca.leaf}, MinVersion: tls.VersionTLS12}
	proxySrv := newServer(t.proxy)
	idSrv := newServer(t.logged(ManagedIdentity, t.ManagedIdentity.handler()))

	go func() { _ = tlsSrv.ServeTLS(tlsLn, "", "") }()
	go func() { _ = proxySrv.Serve(proxyLn) }()
	go func() { _ = idSrv.Serve(idLn) }()

	proxyURL := &url.URL{Scheme: "http", Host: t.proxyAddr}
	t.transport = &http.Transport{
		Proxy: func(r *http.Request) (*url.URL, error) {
			if isLoopback(r.URL.Hostname()) {
				return nil, nil
			}
			return proxyURL, nil
		},
		TLSClientConfig:     &tls.Config{RootCAs: t.ca.pool, MinVersion: tls.VersionTLS12},
		ForceAttemptHTTP2:   true,
		MaxIdleConns:        100,
		MaxIdleConnsPerHost: 20,
		IdleConnTimeout:     30 * time.Second,
		TLSHandshakeTimeout: 5 * time.Second,
	}
	t.direct = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, t.tlsAddr)
		},
		TLSClientConfig: &tls.Config{RootCAs: t.ca.pool, MinVersion: tls.VersionTLS12},
		MaxIdleConns:    4, IdleConnTimeout: 30 * time.Second,
	}}
	return nil
}

// router sends each request on the TLS listener to a service by its Host.
func (t *Tenant) router() http.Handler {
	entra := t.logged(Entra, t.Entra.handler())
	vault := t.logged(KeyVault, t.KeyVault.handler())
	graph := t.logged(Graph, t.Graph.handler())
	sts := t.logged(STS, t.STS.handler())
	issuer := t.logged(STSIssuer, t.STS.issuerHandler())
	sqs := t.logged(SQS, t.SQS.handler())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := hostOnly(r.Host)
		if _, ok := cloudByLogin(host); ok {
			entra.ServeHTTP(w, r)
			return
		}
		if _, ok := cloudByGraph(host); ok {
			graph.ServeHTTP(w, r)
			return
		}
		if _, _, ok := cloudByVault(host); ok {
			vault.ServeHTTP(w, r)
			return
		}
		if _, ok := stsRegion(host); ok {
			sts.ServeHTTP(w, r)
			return
		}
		if _, ok := sqsRegion(host); ok {
			sqs.ServeHTTP(w, r)
			return
		}
		if host == issuerHost {
			issuer.ServeHTTP(w, r)
			return
		}
		t.mountMu.RLock()
		defer t.mountMu.RUnlock()
		for _, m := range t.mounts {
			if matchHost(m.pattern, host) {
				m.handler.ServeHTTP(w, r)
				return
			}
		}
		http.Error(w, "the sandbox serves no service at "+host, http.StatusMisdirectedRequest)
	})
}

// Mount serves h for hosts matching pattern ("name" or "*.suffix") on the
// TLS listener, logging its requests as service. The pattern must be covered
// by the certificate: one of the default hosts (such as sts.amazonaws.com)
// or Options.ExtraHosts.
func (t *Tenant) Mount(pattern string, service Service, h http.Handler) error {
	pattern = strings.ToLower(pattern)
	if !t.covers(strings.Replace(pattern, "*", "x", 1)) {
		return fmt.Errorf("sandbox: %q is not covered by the certificate; add it to Options.ExtraHosts", pattern)
	}
	t.mountMu.Lock()
	defer t.mountMu.Unlock()
	t.mounts = append(t.mounts, mount{pattern: pattern, handler: t.logged(service, h)})
	return nil
}

// covers reports whether host is one of the sandbox's names.
func (t *Tenant) covers(host string) bool {
	for _, p := range t.hosts {
		if matchHost(strings.ToLower(p), host) {
			return true
		}
	}
	return false
}

func (t *Tenant) writeCA() error {
	dir, err := os.MkdirTemp("", "reprocess-sandbox-")
	if err != nil {
		return err
	}
	t.tmpDir = dir
	t.caFile = filepath.Join(dir, "ca.pem")
	t.certDir = filepath.Join(dir, "certs")
	if err := os.Mkdir(t.certDir, 0o700); err != nil {
		return err
	}
	return os.WriteFile(t.caFile, t.ca.certPEM, 0o600)
}

// Close stops the listeners, ends open tunnels and removes the CA files.
func (t *Tenant) Close() error {
	var errs []error
	t.closeOnce.Do(func() {
		for _, s := range t.servers {
			errs = append(errs, s.Close())
		}
		if t.proxy != nil {
			t.proxy.closeAll()
		}
		if t.transport != nil {
			t.transport.CloseIdleConnections()
		}
		if t.direct != nil {
			t.direct.CloseIdleConnections()
		}
		if t.tmpDir != "" {
			errs = append(errs, os.RemoveAll(t.tmpDir))
		}
	})
	return errors.Join(errs...)
}
