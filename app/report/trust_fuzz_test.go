package report

import (
	"bytes"
	"crypto/ed25519"
	"testing"
)

// FuzzIssuerKey feeds arbitrary bytes to the issuer key file reader: it never panics,
// and what it accepts writes back to a file it reads the same.
func FuzzIssuerKey(f *testing.F) {
	pub := ed25519.NewKeyFromSeed(make([]byte, 32)).Public().(ed25519.PublicKey)
	good, _ := ExportIssuerKey("Académie de police de Liège", pub)
	f.Add(good)
	f.Add([]byte(`{"format":"indicia-issuer-key/1","name":"x","public_key":"00"}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := ParseIssuerKey(data)
		if err != nil {
			return
		}
		again, err := ExportIssuerKey(k.Name, k.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		k2, err := ParseIssuerKey(again)
		if err != nil || k2.Name != k.Name || !bytes.Equal(k2.PublicKey, k.PublicKey) || k2.Fingerprint != Fingerprint(k.PublicKey) {
			t.Fatalf("round trip: %+v %v", k2, err)
		}
	})
}
