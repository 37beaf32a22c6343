package credential

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azsecrets"

	"github.com/entra-tools/reprocess/shared/config"
	"github.com/entra-tools/reprocess/shared/secrets"
)

// SecretReader is the part of the secret store the Graph app credential needs.
type SecretReader interface {
	Get(ctx context.Context, name string) (secrets.Secret, error)
	GetPEM(ctx context.Context, name string) (secrets.Secret, error)
	Refresh(ctx context.Context, name string, pem bool) (secrets.Secret, error)
}

// Graph returns the credential for Graph calls: the platform identity under
// config.GraphPlatform, else the Graph app's credential from Key Vault.
func Graph(cfg config.Config, platform azcore.TokenCredential, store SecretReader, hc *http.Client) azcore.TokenCredential {
	if cfg.GraphAuth == config.GraphPlatform {
		return platform
	}
	a := &appCredential{
		tenant: cfg.TenantID, client: cfg.ClientID, store: store,
		opts: clientOptions(cfg.Cloud, hc), noDiscovery: !knownAuthority(cfg.Cloud.AuthorityHost),
	}
	if cfg.GraphAuth == config.GraphCertificate {
		a.name, a.cert = cfg.GraphCertificateName, true
	} else {
		a.name = cfg.GraphSecretName
	}
	return a
}

// appCredential is the Graph app's credential, rebuilt when the secret's
// version in Key Vault changes.
type appCredential struct {
	tenant, client string
	name           string
	cert           bool
	store          SecretReader
	opts           azcore.ClientOptions
	noDiscovery    bool

	mu      sync.Mutex
	cred    azcore.TokenCredential
	version string

	// azidentity fetches one token at a time per credential, so while the
	// token endpoint fails every waiting caller would try it again in turn
	// and the queue would outlast their deadlines. Callers that waited for a
	// fetch that failed get its error (503 at once) instead.
	fetchMu     sync.Mutex
	fetchFailed time.Time
	fetchErr    error
}

func (a *appCredential) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	cred, version, err := a.current(ctx, false)
	if err != nil {
		return azcore.AccessToken{}, err
	}
	tok, err := a.fetch(ctx, cred, opts)
	if err == nil || !rotated(err) {
		return tok, wrapTokenError(ctx, err)
	}
	// Entra refused the secret or certificate: it may have been rotated.
	fresh, freshVersion, rerr := a.current(ctx, true)
	if rerr != nil || freshVersion == version {
		return azcore.AccessToken{}, wrapTokenError(ctx, err)
	}
	tok, err = fresh.GetToken(ctx, opts)
	return tok, wrapTokenError(ctx, err)
}

// fetch gets a token from cred, or the error of a fetch that failed while
// this caller waited for its turn.
func (a *appCredential) fetch(ctx context.Context, cred azcore.TokenCredential, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	start := time.Now()
	a.fetchMu.Lock()
	defer a.fetchMu.Unlock()
	if a.fetchErr != nil && !a.fetchFailed.Before(start) {
		return azcore.AccessToken{}, a.fetchErr
	}
	tok, err := cred.GetToken(ctx, opts)
	switch {
	case err == nil:
		a.fetchErr = nil
	case ctx.Err() == nil && !rotated(err):
		a.fetchFailed, a.fetchErr = time.Now(), err
	}
	return tok, err
}

// current returns the credential for the latest version the store knows.
func (a *appCredential) current(ctx context.Context, refresh bool) (azcore.TokenCredential, string, error) {
	var sec secrets.Secret
	var err error
	switch {
	case refresh:
		sec, err = a.store.Refresh(ctx, a.name, a.cert)
	case a.cert:
		sec, err = a.store.GetPEM(ctx, a.name)
	default:
		sec, err = a.store.Get(ctx, a.name)
	}
	if err != nil {
		return nil, "", err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.cred != nil && a.version == sec.Version {
		return a.cred, a.version, nil
	}
	cred, err := a.build(sec)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %s %q: %w", ErrUnavailable, a.kind(), a.name, err)
	}
	a.cred, a.version = cred, sec.Version
	return cred, sec.Version, nil
}

func (a *appCredential) kind() string {
	if a.cert {
		return "certificate"
	}
	return "client secret"
}

func (a *appCredential) build(sec secrets.Secret) (azcore.TokenCredential, error) {
	if !a.cert {
		return azidentity.NewClientSecretCredential(a.tenant, a.client, sec.Value,
			&azidentity.ClientSecretCredentialOptions{ClientOptions: a.opts, DisableInstanceDiscovery: a.noDiscovery})
	}
	data := []byte(sec.Value)
	if sec.ContentType == string(azsecrets.ContentTypePFX) {
		// Key Vault ignored the PEM request; legacy PFX files still parse.
		raw, err := base64.StdEncoding.DecodeString(sec.Value)
		if err != nil {
			return nil, fmt.Errorf("decode PFX: %w", err)
		}
		data = raw
	}
	certs, key, err := azidentity.ParseCertificates(data, nil)
	if err != nil {
		return nil, fmt.Errorf("parse certificate: %w", err)
	}
	return azidentity.NewClientCertificateCredential(a.tenant, a.client, certs, key,
		&azidentity.ClientCertificateCredentialOptions{ClientOptions: a.opts, DisableInstanceDiscovery: a.noDiscovery})
}

// rotationCodes are Entra's answers to a secret or certificate it no longer
// accepts: invalid secret, expired secret, unknown certificate or assertion.
var rotationCodes = []string{"AADSTS7000215", "AADSTS7000222", "AADSTS700027"}

func rotated(err error) bool {
	var af *azidentity.AuthenticationFailedError
	if !errors.As(err, &af) {
		return false
	}
	msg := af.Error()
	for _, c := range rotationCodes {
		if strings.Contains(msg, c) {
			return true
		}
	}
	return false
}
