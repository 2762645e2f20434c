package main

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nats-io/nkeys"
)

// Key material is made up at run time: the repository holds none, not even in tests.
func sampleSecrets(t *testing.T) (jwt, seed, publicKey string) {
	t.Helper()
	user, err := nkeys.CreateUser()
	if err != nil {
		t.Fatal(err)
	}
	seedBytes, err := user.Seed()
	if err != nil {
		t.Fatal(err)
	}
	publicKey, err = user.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	segment := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	jwt = segment(`{"alg":"ES256","typ":"JWT"}`) + "." + segment(`{"sub":"order","role":"service"}`) + "." + segment("signature")
	return jwt, string(seedBytes), publicKey
}

func TestFindSecrets(t *testing.T) {
	jwt, seed, publicKey := sampleSecrets(t)
	begin := "-----BEGIN "
	for _, c := range []struct {
		name string
		text string
		want []embeddedSecret
	}{
		{"a JWT in a variable", "data:\n  TOKEN: " + jwt + "\n", []embeddedSecret{{2, 10, "a JWT"}}},
		{"a JWT in a URL", "url: https://example.com/?t=" + jwt, []embeddedSecret{{1, 29, "a JWT"}}},
		{"a PKCS#8 key", "key: |\n  " + begin + "PRIVATE KEY-----\n  MIG...\n", []embeddedSecret{{2, 3, "a PEM private key"}}},
		{"an EC key", begin + "EC PRIVATE KEY-----", []embeddedSecret{{1, 1, "a PEM private key"}}},
		{"an encrypted RSA key", begin + "ENCRYPTED PRIVATE KEY-----\n" + begin + "RSA PRIVATE KEY-----", []embeddedSecret{{1, 1, "a PEM private key"}, {2, 1, "a PEM private key"}}},
		{"an OpenSSH key", begin + "OPENSSH PRIVATE KEY-----", []embeddedSecret{{1, 1, "a PEM private key"}}},
		{"an nkey seed", "seed.nk: " + seed, []embeddedSecret{{1, 10, "an nkey seed"}}},
		{"all three, in order", seed + "\n" + jwt + " " + begin + "PRIVATE KEY-----", []embeddedSecret{{1, 1, "an nkey seed"}, {2, 1, "a JWT"}, {2, len(jwt) + 2, "a PEM private key"}}},
		{"a public nkey", "ORDER_NKEY: " + publicKey, nil},
		{"a variable naming an nkey", "{ nkey: $ORDER_NKEY }", nil},
		{"a certificate", begin + "CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----", nil},
		{"a public key", begin + "PUBLIC KEY-----", nil},
		{"base64 of a JWT's header alone", "x: eyJhbGciOiJFUzI1NiJ9", nil},
		{"a dotted name", "image: fooddelivery/order:0.1.0", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := findSecrets([]byte(c.text))
			if len(got) != len(c.want) {
				t.Fatalf("found %v, want %v", got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Errorf("finding %d: %+v, want %+v", i, got[i], c.want[i])
				}
			}
		})
	}
}

func TestScanForSecretsNamesTheFileAndWhere(t *testing.T) {
	jwt, seed, _ := sampleSecrets(t)
	dir := t.TempDir()
	nested := filepath.Join(dir, "nats", "authorization.conf")
	if err := os.MkdirAll(filepath.Dir(nested), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "order.yaml"), []byte("kind: Secret\nstringData:\n  TOKEN: "+jwt+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(nested, []byte("users: [\n  { seed: "+seed+" }\n]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	compose := filepath.Join(t.TempDir(), "docker-compose.yml")
	if err := os.WriteFile(compose, []byte("services: {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := &report{}
	scanForSecrets(dir, []string{compose, filepath.Join(dir, "order.yaml")}, r)
	want := []string{
		nested + ": line 2, column 11: embeds an nkey seed: " + secretAdvice,
		filepath.Join(dir, "order.yaml") + ": line 3, column 10: embeds a JWT: " + secretAdvice,
	}
	if strings.Join(r.problems, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant (each file once):\n%s", strings.Join(r.problems, "\n"), strings.Join(want, "\n"))
	}
}

func TestSecretValuesAreLookedInto(t *testing.T) {
	_, seed, _ := sampleSecrets(t)
	encoded := base64.StdEncoding.EncodeToString([]byte(seed))
	if found := findSecrets([]byte("seed.nk: " + encoded)); len(found) != 0 {
		t.Fatalf("the text scan is not expected to see through base64: %v", found)
	}
	objects := decodeAll(t, `apiVersion: v1
kind: Secret
metadata:
  name: leftover
  namespace: fooddelivery
data:
  seed.nk: `+encoded+`
`)
	r := &report{}
	checkRules(objects, nil, nil, "fooddelivery", false, r)
	expectProblem(t, r, "test.yaml: document 1 (Secret leftover): key seed.nk: holds an nkey seed: ")
}
