package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Keys, certificates' keys and tokens never belong in the manifests: they are Secrets the operator
// creates before applying them (deploy/make-secrets.ts writes them; k8s/README.md, "Secrets").
// The manifests may refer to these Secrets and their keys; defining one of them is an error.
func operatorSecrets() map[string][]string {
	tls := []string{"ca.crt", "tls.crt", "tls.key"}
	var nkeys []string
	for _, service := range serviceNames {
		nkeys = append(nkeys, strings.ToUpper(service)+"_NKEY")
	}
	secrets := map[string][]string{
		"fooddelivery-jwks":   {"jwks.json"},
		"nats-service-keys":   nkeys,
		"nats-cluster-tls":    tls,
		"envoy-tls":           {"tls.crt", "tls.key"},
		"envoy-upstream-tls":  tls,
		"order-payment-token": {"token"},
	}
	for _, service := range serviceNames {
		secrets[service+"-nats-seed"] = []string{"seed.nk"}
		secrets[service+"-grpc-tls"] = tls
	}
	return secrets
}

// What an embedded secret looks like: a JWT (three base64url segments, the header's JSON starting
// `{"`), a PEM private key of any kind, an nkey seed (S, then the key type, base32).
var secretPatterns = []struct {
	what    string
	pattern *regexp.Regexp
}{
	{"a JWT", regexp.MustCompile(`\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`)},
	{"a PEM private key", regexp.MustCompile(`-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----`)},
	{"an nkey seed", regexp.MustCompile(`\bS[UOANC][A-Z2-7]{55}`)},
}

type embeddedSecret struct {
	line, column int // 1-based
	what         string
}

// findSecrets lists what looks like key material in text, in the order it appears.
func findSecrets(text []byte) []embeddedSecret {
	var found []embeddedSecret
	for _, p := range secretPatterns {
		for _, match := range p.pattern.FindAllIndex(text, -1) {
			line := bytes.Count(text[:match[0]], []byte("\n")) + 1
			column := match[0] - (bytes.LastIndexByte(text[:match[0]], '\n') + 1) + 1
			found = append(found, embeddedSecret{line: line, column: column, what: p.what})
		}
	}
	sort.Slice(found, func(i, j int) bool {
		if found[i].line != found[j].line {
			return found[i].line < found[j].line
		}
		return found[i].column < found[j].column
	})
	return found
}

const secretAdvice = "keys and tokens belong in the Secrets the operator creates (deploy/make-secrets.ts; k8s/README.md, \"Secrets\")"

// scanForSecrets reads every file under dir (any kind: manifests, generator sources, scripts) and
// the extra files, and reports each embedded secret by file, line and column.
func scanForSecrets(dir string, extra []string, r *report) {
	var files []string
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			files = append(files, path)
		}
		return nil
	})
	seen := map[string]bool{}
	for _, file := range append(files, extra...) {
		key, err := filepath.Abs(file)
		if err != nil || seen[key] {
			continue
		}
		seen[key] = true
		text, err := os.ReadFile(file)
		if err != nil {
			continue // reported by whoever reads it for its content
		}
		for _, s := range findSecrets(text) {
			r.problem(fmt.Sprintf("%s: line %d, column %d", file, s.line, s.column), "embeds %s: %s", s.what, secretAdvice)
		}
	}
}

// checkSecretValues looks inside the values of a Secret or ConfigMap, where base64 (`data:`)
// hides them from the scan of the file's text.
func checkSecretValues(o *object, values map[string][]byte, r *report) {
	keys := make([]string, 0, len(values))
	for key := range values {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	for _, key := range keys {
		for _, s := range findSecrets(values[key]) {
			r.problem(fmt.Sprintf("%s: key %s", o.where(), key), "holds %s: %s", s.what, secretAdvice)
		}
	}
}
