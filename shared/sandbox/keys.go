package sandbox

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"sync"
	"time"
)

// rsaCert is an RSA 2048 key with a self-signed certificate, made on first
// use: generating it takes ~150 ms, and most tests never need one (only
// certificate credentials and caller tokens do), so Start stays fast.
type rsaCert struct {
	commonName string
	once       sync.Once
	key        *rsa.PrivateKey
	cert       *x509.Certificate
	err        error
}

func (c *rsaCert) get() (*rsa.PrivateKey, *x509.Certificate, error) {
	c.once.Do(func() {
		c.key, c.cert, c.err = newRSACert(c.commonName)
	})
	return c.key, c.cert, c.err
}

// mustGet is for paths where a failure of crypto/rand is the only error.
func (c *rsaCert) mustGet() (*rsa.PrivateKey, *x509.Certificate) {
	k, cert, err := c.get()
	if err != nil {
		panic(err)
	}
	return k, cert
}

func newRSACert(cn string) (*rsa.PrivateKey, *x509.Certificate, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: randomSerial(),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("sandbox: certificate %s: %w", cn, err)
	}
	cert, err := x509.ParseCertificate(der)
	return key, cert, err
}

// certPEM is Key Vault's PEM form of a certificate-backed secret: the
// PKCS #8 private key, then the certificate.
func certPEM(key *rsa.PrivateKey, cert *x509.Certificate) []byte {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		panic(err) // an RSA key always marshals
	}
	out := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	return append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})...)
}

func thumbprintSHA1(cert *x509.Certificate) []byte {
	s := sha1.Sum(cert.Raw)
	return s[:]
}

func thumbprintSHA256(cert *x509.Certificate) []byte {
	s := sha256.Sum256(cert.Raw)
	return s[:]
}

// decodeThumbprint accepts the standard base64 MSAL sends as well as the
// base64url of RFC 7515.
func decodeThumbprint(s string) []byte {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b
		}
	}
	return nil
}
