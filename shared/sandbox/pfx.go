package sandbox

import (
	"bytes"
	"crypto/cipher"
	"crypto/des"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
)

// certPFX writes key and cert as a password-less PKCS #12 file the way Key
// Vault's default certificate policy exports it, using the legacy algorithms
// (3DES-CBC key encryption, SHA-1 MAC, RFC 7292 appendix B key derivation)
// that golang.org/x/crypto/pkcs12, and so azidentity.ParseCertificates, read.
// The standard library cannot write PKCS #12, and a new dependency for a test
// fixture is not worth it.
func certPFX(key *rsa.PrivateKey, cert *x509.Certificate) []byte {
	password := []byte{0, 0} // the empty password as a NUL-terminated BMPString
	keyID := thumbprintSHA1(cert)
	attrs := []pfxAttribute{{ID: oidLocalKeyID, Value: rawSet(mustMarshal(keyID))}}

	certBag := pfxSafeBag{ID: oidCertBag, Value: explicit0(mustMarshal(pfxCertBag{ID: oidX509Cert, Data: cert.Raw})), Attributes: attrs}

	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		panic(err)
	}
	salt := randomBytes(8)
	const iterations = 2048
	encrypted := tripleDESEncrypt(pkcs8,
		pkcs12KDF(salt, password, iterations, 1, 24), pkcs12KDF(salt, password, iterations, 2, 8))
	shrouded := pfxEncryptedKey{
		Algorithm: pkix.AlgorithmIdentifier{Algorithm: oidPBEWithSHAAnd3KeyTripleDESCBC,
			Parameters: asn1.RawValue{FullBytes: mustMarshal(pfxPBEParams{Salt: salt, Iterations: iterations})}},
		Data: encrypted,
	}
	keyBag := pfxSafeBag{ID: oidPKCS8ShroudedKeyBag, Value: explicit0(mustMarshal(shrouded)), Attributes: attrs}

	authSafe := mustMarshal([]pfxContentInfo{
		dataContent(mustMarshal([]pfxSafeBag{certBag})),
		dataContent(mustMarshal([]pfxSafeBag{keyBag})),
	})
	macSalt := randomBytes(8)
	mac := hmac.New(sha1.New, pkcs12KDF(macSalt, password, iterations, 3, 20))
	mac.Write(authSafe)
	return mustMarshal(pfxPDU{
		Version:  3,
		AuthSafe: dataContent(authSafe),
		MacData: pfxMacData{
			Mac: pfxDigestInfo{Algorithm: pkix.AlgorithmIdentifier{Algorithm: oidSHA1, Parameters: asn1.NullRawValue},
				Digest: mac.Sum(nil)},
			Salt: macSalt, Iterations: iterations,
		},
	})
}

var (
	oidDataContentType               = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidCertBag                       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 3}
	oidPKCS8ShroudedKeyBag           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 10, 1, 2}
	oidX509Cert                      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 22, 1}
	oidLocalKeyID                    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 21}
	oidPBEWithSHAAnd3KeyTripleDESCBC = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 3}
	oidSHA1                          = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}
)

type pfxPDU struct {
	Version  int
	AuthSafe pfxContentInfo
	MacData  pfxMacData
}

type pfxContentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue
}

type pfxMacData struct {
	Mac        pfxDigestInfo
	Salt       []byte
	Iterations int
}

type pfxDigestInfo struct {
	Algorithm pkix.AlgorithmIdentifier
	Digest    []byte
}

type pfxSafeBag struct {
	ID         asn1.ObjectIdentifier
	Value      asn1.RawValue
	Attributes []pfxAttribute `asn1:"set"`
}

type pfxAttribute struct {
	ID    asn1.ObjectIdentifier
	Value asn1.RawValue
}

type pfxCertBag struct {
	ID   asn1.ObjectIdentifier
	Data []byte `asn1:"tag:0,explicit"`
}

type pfxEncryptedKey struct {
	Algorithm pkix.AlgorithmIdentifier
	Data      []byte
}

type pfxPBEParams struct {
	Salt       []byte
	Iterations int
}

// encoding/asn1 ignores struct tags on RawValue fields, so the explicit
// [0] wrappers and attribute SETs are built by hand.
func explicit0(inner []byte) asn1.RawValue {
	return asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: inner}
}

func rawSet(inner []byte) asn1.RawValue {
	return asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true, Bytes: inner}
}

func dataContent(content []byte) pfxContentInfo {
	return pfxContentInfo{ContentType: oidDataContentType, Content: explicit0(mustMarshal(content))}
}

func mustMarshal(v any) []byte {
	b, err := asn1.Marshal(v)
	if err != nil {
		panic(err) // only fixed, well-formed structures are marshalled
	}
	return b
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func tripleDESEncrypt(plain, key, iv []byte) []byte {
	block, err := des.NewTripleDESCipher(key)
	if err != nil {
		panic(err)
	}
	pad := block.BlockSize() - len(plain)%block.BlockSize()
	data := append(append([]byte(nil), plain...), bytes.Repeat([]byte{byte(pad)}, pad)...)
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(data, data)
	return data
}

// pkcs12KDF is the key derivation of RFC 7292 appendix B.2 with SHA-1
// (u = 20, v = 64). id is 1 for keys, 2 for IVs and 3 for MAC keys.
func pkcs12KDF(salt, password []byte, iterations int, id byte, size int) []byte {
	const v = 64 // SHA-1 block size; the output size u is 20
	fill := func(b []byte) []byte {
		if len(b) == 0 {
			return nil
		}
		n := v * ((len(b) + v - 1) / v)
		out := make([]byte, n)
		for i := range out {
			out[i] = b[i%len(b)]
		}
		return out
	}
	d := bytes.Repeat([]byte{id}, v)
	in := append(fill(salt), fill(password)...)
	var out []byte
	for len(out) < size {
		h := sha1.Sum(append(append([]byte(nil), d...), in...))
		a := h[:]
		for i := 1; i < iterations; i++ {
			h = sha1.Sum(a)
			a = h[:]
		}
		out = append(out, a...)
		if len(out) >= size {
			break
		}
		b := fill(a)
		for j := 0; j < len(in); j += v {
			// in[j:j+v] = (in[j:j+v] + b + 1) mod 2^(8v)
			carry := 1
			for k := v - 1; k >= 0; k-- {
				sum := int(in[j+k]) + int(b[k]) + carry
				in[j+k] = byte(sum)
				carry = sum >> 8
			}
		}
	}
	return out[:size]
}
