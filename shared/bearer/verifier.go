package bearer

import (
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// MaxAuthorizationHeader is the longest Authorization header parsed.
// Entra access tokens are 1-3 KiB, more with many group claims.
const MaxAuthorizationHeader = 8 << 10

// Principal is who a verified token names. It holds identifiers only, no
// names or e-mail addresses, and is safe to log.
type Principal struct {
	ObjectID string   // oid: the caller's service principal (or user) object id
	AppID    string   // azp: the client application's id
	TenantID string   // tid
	Subject  string   // sub
	Roles    []string // roles: the app roles granted to the caller
	IDType   string   // idtyp ("app" for app-only tokens) when that optional claim is enabled
	TokenID  string   // uti: correlates with the Entra sign-in logs
}

// LogValue logs the principal as a group of its identifiers.
func (p Principal) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("oid", p.ObjectID),
		slog.String("azp", p.AppID),
		slog.String("tid", p.TenantID),
		slog.Any("roles", p.Roles),
		slog.String("uti", p.TokenID),
	)
}

// claims are the parts of an Entra v2 access token we check or report.
type claims struct {
	jwt.RegisteredClaims
	TenantID string   `json:"tid"`
	ObjectID string   `json:"oid"`
	AppID    string   `json:"azp"`
	Roles    []string `json:"roles"`
	IDType   string   `json:"idtyp"`
	TokenID  string   `json:"uti"`
}

// Verifier checks bearer tokens against one tenant, audience list and role.
type Verifier struct {
	cfg    resolved
	keys   *keySource
	now    func() time.Time
	parser *jwt.Parser
}

// New checks cfg and returns a verifier. It makes no network call: the
// signing keys are fetched on first use.
func New(cfg Config) (*Verifier, error) {
	r, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	v := &Verifier{cfg: r, keys: newKeySource(r.keysURL, r.client, r.fetchTimeout), now: time.Now}
	v.parser = jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodRS256.Alg()}),
		jwt.WithIssuer(r.issuer),
		jwt.WithAudience(r.audiences...),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(r.leeway),
		jwt.WithStrictDecoding(),
		jwt.WithTimeFunc(func() time.Time { return v.now() }),
	)
	return v, nil
}

// Authenticate verifies the request's bearer token and returns its
// principal. Errors wrap ErrMissingToken, ErrInvalidToken, ErrMissingRole
// or ErrKeysUnavailable; they never contain the token. With ErrMissingRole
// the principal is returned too, so that the refusal can be logged by who.
func (v *Verifier) Authenticate(r *http.Request) (Principal, error) {
	token, err := bearerToken(r.Header)
	if err != nil {
		return Principal{}, err
	}
	kf, err := v.keys.keyfunc(r.Context())
	if err != nil {
		return Principal{}, err
	}
	keyFor := kf.KeyfuncCtx(r.Context())
	var c claims
	_, err = v.parser.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) {
		// Entra always names its key; without a kid keyfunc would try every key.
		kid, _ := t.Header["kid"].(string)
		if kid == "" || len(kid) > 128 || strings.ContainsFunc(kid, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
			return nil, errNoKID
		}
		return keyFor(t)
	})
	if err != nil {
		if iss, _ := c.GetIssuer(); strings.HasPrefix(iss, "https://sts.windows.net/") {
			err = fmt.Errorf("%w (a v1 token: set accessTokenAcceptedVersion to 2 in the API's app manifest)", err)
		}
		return Principal{}, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	// The issuer already names the tenant; tid must agree.
	if !strings.EqualFold(c.TenantID, v.cfg.tenant) {
		return Principal{}, fmt.Errorf("%w: tid is not the configured tenant", ErrInvalidToken)
	}
	p := Principal{
		ObjectID: c.ObjectID,
		AppID:    c.AppID,
		TenantID: c.TenantID,
		Subject:  c.Subject,
		Roles:    c.Roles,
		IDType:   c.IDType,
		TokenID:  c.TokenID,
	}
	if !slices.Contains(c.Roles, v.cfg.role) {
		return p, fmt.Errorf("%w: %q", ErrMissingRole, v.cfg.role)
	}
	return p, nil
}

// bearerToken extracts the token of a single "Authorization: Bearer <token>"
// header, refusing oversized or ambiguous ones before any parsing.
func bearerToken(h http.Header) (string, error) {
	vals := h.Values("Authorization")
	switch {
	case len(vals) == 0 || vals[0] == "":
		return "", ErrMissingToken
	case len(vals) > 1:
		return "", fmt.Errorf("%w: several Authorization headers", ErrInvalidToken)
	case len(vals[0]) > MaxAuthorizationHeader:
		return "", fmt.Errorf("%w: %w (%d bytes, limit %d)", ErrInvalidToken, ErrTokenTooLarge, len(vals[0]), MaxAuthorizationHeader)
	}
	scheme, token, _ := strings.Cut(vals[0], " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", ErrMissingToken // other schemes carry no bearer token
	}
	token = strings.TrimLeft(token, " ")
	if token == "" || strings.ContainsAny(token, " \t") {
		return "", fmt.Errorf("%w: not a single bearer token", ErrInvalidToken)
	}
	return token, nil
}
