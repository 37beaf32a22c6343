package sandbox

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// webIdentityKeys sign the account's web identity tokens: one RSA key for
// RS256 and one P-384 key for ES384, both made on first use and published
// in the issuer's JWKS.
type webIdentityKeys struct {
	once sync.Once
	rsa  *rsa.PrivateKey
	ec   *ecdsa.PrivateKey
}

func (k *webIdentityKeys) get() (*rsa.PrivateKey, *ecdsa.PrivateKey) {
	k.once.Do(func() {
		var err error
		if k.rsa, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err) // crypto/rand does not fail on supported platforms
		}
		if k.ec, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader); err != nil {
			panic(err)
		}
	})
	return k.rsa, k.ec
}

func kidOf(pub any) string {
	var material []byte
	switch p := pub.(type) {
	case *rsa.PublicKey:
		material = p.N.Bytes()
	case *ecdsa.PublicKey:
		material, _ = p.Bytes()
	}
	sum := sha256.Sum256(material)
	return base64.RawURLEncoding.EncodeToString(sum[:12])
}

// WebIdentityTokenOptions shape MintWebIdentityToken's token. Zero values
// give the token GetWebIdentityToken issues to the execution role for
// FederationAudience.
type WebIdentityTokenOptions struct {
	Issuer   string    // iss; default AWSIssuer
	Subject  string    // sub; default AWSRoleARN
	Audience []string  // aud; default [FederationAudience]
	Expiry   time.Time // exp; default five minutes from now
	Alg      string    // "RS256" (default) or "ES384"
	// ForeignKey signs with a key the issuer does not publish, under the
	// published key's kid: a forgery.
	ForeignKey bool

	region string
}

// MintWebIdentityToken returns a token like those STS's GetWebIdentityToken
// issues, for tests of what Entra accepts.
func (t *Tenant) MintWebIdentityToken(o WebIdentityTokenOptions) string {
	return t.STS.keys.mint(o, time.Now())
}

// mint signs a token with the claims AWS documents for outbound federation
// (iss, sub, aud, iat, nbf, exp, jti and the https://sts.amazonaws.com/
// object).
func (k *webIdentityKeys) mint(o WebIdentityTokenOptions, now time.Time) string {
	rsaKey, ecKey := k.get()
	aud := o.Audience
	if aud == nil {
		aud = []string{FederationAudience}
	}
	exp := o.Expiry
	if exp.IsZero() {
		exp = now.Add(5 * time.Minute)
	}
	claims := jwt.MapClaims{
		"iss": or(o.Issuer, AWSIssuer),
		"sub": or(o.Subject, AWSRoleARN),
		"iat": now.Unix(),
		"nbf": now.Unix(),
		"exp": exp.Unix(),
		"jti": newGUID(),
		"https://sts.amazonaws.com/": map[string]any{
			"aws_account":   AWSAccountID,
			"source_region": or(o.region, AWSRegion),
		},
	}
	if len(aud) == 1 {
		claims["aud"] = aud[0]
	} else {
		claims["aud"] = aud
	}
	var method jwt.SigningMethod = jwt.SigningMethodRS256
	var signer, pub any = rsaKey, &rsaKey.PublicKey
	if o.Alg == "ES384" {
		method, signer, pub = jwt.SigningMethodES384, ecKey, &ecKey.PublicKey
	}
	if o.ForeignKey {
		var err error
		if o.Alg == "ES384" {
			signer, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		} else {
			signer, err = rsa.GenerateKey(rand.Reader, 2048)
		}
		if err != nil {
			panic(err)
		}
	}
	tok := jwt.NewWithClaims(method, claims)
	tok.Header["kid"] = kidOf(pub)
	s, err := tok.SignedString(signer)
	if err != nil {
		panic(err) // signing with a freshly generated key does not fail
	}
	return s
}

// issuerHandler serves AWSIssuer's discovery document and JWKS.
func (s *STSServer) issuerHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{
			"issuer":                                AWSIssuer,
			"jwks_uri":                              AWSIssuer + "/.well-known/jwks.json",
			"response_types_supported":              []string{"id_token"},
			"subject_types_supported":               []string{"public"},
			"id_token_signing_alg_values_supported": []string{"RS256", "ES384"},
			"claims_supported":                      []string{"aud", "exp", "iat", "iss", "jti", "nbf", "sub", "https://sts.amazonaws.com/"},
		})
	})
	mux.HandleFunc("GET /.well-known/jwks.json", func(w http.ResponseWriter, r *http.Request) {
		rsaKey, ecKey := s.keys.get()
		pt, _ := ecKey.PublicKey.Bytes() // 0x04 || X || Y
		size := (len(pt) - 1) / 2
		writeJSON(w, http.StatusOK, map[string]any{"keys": []map[string]string{
			{"kty": "RSA", "use": "sig", "alg": "RS256", "kid": kidOf(&rsaKey.PublicKey),
				"n": base64.RawURLEncoding.EncodeToString(rsaKey.N.Bytes()),
				"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(rsaKey.E)).Bytes())},
			{"kty": "EC", "use": "sig", "alg": "ES384", "crv": "P-384", "kid": kidOf(&ecKey.PublicKey),
				"x": base64.RawURLEncoding.EncodeToString(pt[1 : 1+size]),
				"y": base64.RawURLEncoding.EncodeToString(pt[1+size:])},
		}})
	})
	return mux
}

// issuerHost is the host of AWSIssuer.
var issuerHost = strings.TrimPrefix(AWSIssuer, "https://")
