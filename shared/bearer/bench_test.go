package bearer

import (
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// BenchmarkAuthenticate measures a warm verification: keys cached, one
// RS256 signature check and the claim checks.
func BenchmarkAuthenticate(b *testing.B) {
	tn := newTenant(b)
	tn.publish("key-a", rsaKeys()[0])
	v := newTestVerifier(b, tn.config())
	r := request(mint(b, jwt.SigningMethodRS256, rsaKeys()[0], "key-a", appClaims(tn.issuer(), time.Now())))
	if _, err := v.Authenticate(r); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := v.Authenticate(r); err != nil {
			b.Fatal(err)
		}
	}
}
