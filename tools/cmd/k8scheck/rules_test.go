package main

import (
	"bufio"
	"strings"
	"testing"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

// decodeAll decodes a YAML stream as the files under the checked directory are (file test.yaml).
func decodeAll(t *testing.T, stream string) []*object {
	t.Helper()
	reader := utilyaml.NewYAMLReader(bufio.NewReader(strings.NewReader(stream)))
	var objects []*object
	r := &report{}
	for n := 1; ; n++ {
		doc, err := reader.Read()
		if err != nil {
			break
		}
		if o := decodeAndValidate(doc, "test.yaml", n, "fooddelivery", r); o != nil {
			objects = append(objects, o)
		}
	}
	if len(r.problems) > 0 {
		t.Fatalf("the test's manifests do not decode:\n%s", strings.Join(r.problems, "\n"))
	}
	return objects
}

func expectProblem(t *testing.T, r *report, prefix string) {
	t.Helper()
	for _, p := range r.problems {
		if strings.HasPrefix(p, prefix) {
			return
		}
	}
	t.Errorf("no problem starting %q among:\n%s", prefix, strings.Join(r.problems, "\n"))
}

func expectNoProblem(t *testing.T, r *report, containing string) {
	t.Helper()
	for _, p := range r.problems {
		if strings.Contains(p, containing) {
			t.Errorf("unexpected problem: %s", p)
		}
	}
}

// A payment Deployment as k8s/ writes it, cut to what the rules look at; edits replace parts.
const paymentDeployment = `apiVersion: v1
kind: ConfigMap
metadata:
  name: payment-config
  namespace: fooddelivery
data:
  GRPC_PORT: '50052'
  HTTP_PORT: '8082'
  DEPLOY_ENV: production
  AUTH_ISSUER: https://issuer.example.invalid
  AUTH_JWKS_FILE: /etc/fooddelivery/jwks/jwks.json
  NATS_NKEY_SEED_FILE: /etc/fooddelivery/nats/seed.nk
  GRPC_TLS_CERT_FILE: /etc/fooddelivery/grpc-tls/tls.crt
  GRPC_TLS_KEY_FILE: /etc/fooddelivery/grpc-tls/tls.key
  GRPC_TLS_CA_FILE: /etc/fooddelivery/grpc-tls/ca.crt
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: payment
  namespace: fooddelivery
spec:
  replicas: 2
  selector:
    matchLabels:
      app.kubernetes.io/name: payment
  strategy:
    rollingUpdate:
      maxUnavailable: 0
  template:
    metadata:
      labels:
        app.kubernetes.io/name: payment
    spec:
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        fsGroup: 10001
        seccompProfile:
          type: RuntimeDefault
      containers:
        - name: payment
          image: fooddelivery/payment:0.1.0
          ports:
            - name: grpc
              containerPort: 50052
            - name: http
              containerPort: 8082
          envFrom:
            - configMapRef:
                name: payment-config
          resources:
            requests: { cpu: 100m, memory: 128Mi }
            limits: { memory: 256Mi }
          startupProbe:
            httpGet: { path: /readyz, port: http }
          readinessProbe:
            httpGet: { path: /readyz, port: http }
          livenessProbe:
            httpGet: { path: /healthz, port: http }
          lifecycle:
            preStop:
              exec:
                command: ['sleep', '5']
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: ['ALL']
          volumeMounts:
            - { name: tmp, mountPath: /tmp }
            - { name: jwks, mountPath: /etc/fooddelivery/jwks, readOnly: true }
            - { name: nats-seed, mountPath: /etc/fooddelivery/nats, readOnly: true }
            - { name: grpc-tls, mountPath: /etc/fooddelivery/grpc-tls, readOnly: true }
      volumes:
        - { name: tmp, emptyDir: {} }
        - { name: jwks, secret: { secretName: fooddelivery-jwks } }
        - { name: nats-seed, secret: { secretName: payment-nats-seed } }
        - { name: grpc-tls, secret: { secretName: payment-grpc-tls } }
`

func check(t *testing.T, stream string) *report {
	t.Helper()
	r := &report{}
	checkRules(decodeAll(t, stream), nil, nil, "fooddelivery", false, r)
	return r
}

func edited(t *testing.T, from, to string) string {
	t.Helper()
	if !strings.Contains(paymentDeployment, from) {
		t.Fatalf("the sample has no %q", from)
	}
	return strings.Replace(paymentDeployment, from, to, 1)
}

func TestTheSampleIsValid(t *testing.T) {
	if r := check(t, paymentDeployment); len(r.problems) > 0 {
		t.Fatalf("problems:\n%s", strings.Join(r.problems, "\n"))
	}
}

func TestOperatorSecrets(t *testing.T) {
	t.Run("are referred to, not defined", func(t *testing.T) {
		r := check(t, paymentDeployment+`---
apiVersion: v1
kind: Secret
metadata:
  name: payment-grpc-tls
  namespace: fooddelivery
stringData:
  ca.crt: placeholder
`)
		expectProblem(t, r, "test.yaml: document 3 (Secret payment-grpc-tls): Secret payment-grpc-tls holds keys the operator creates")
	})
	t.Run("have their keys only", func(t *testing.T) {
		r := check(t, edited(t, "GRPC_TLS_CA_FILE: /etc/fooddelivery/grpc-tls/ca.crt", "GRPC_TLS_CA_FILE: /etc/fooddelivery/grpc-tls/ca.pem"))
		expectProblem(t, r, "test.yaml: document 2 (Deployment payment): container payment: GRPC_TLS_CA_FILE=/etc/fooddelivery/grpc-tls/ca.pem: Secret payment-grpc-tls (created by the operator, deploy/make-secrets.ts) has no key ca.pem")
	})
	t.Run("any other Secret must be defined", func(t *testing.T) {
		r := check(t, edited(t, "secretName: payment-nats-seed", "secretName: payment-nkey"))
		expectProblem(t, r, "test.yaml: document 2 (Deployment payment): volume nats-seed: Secret payment-nkey is not defined here")
	})
}

func TestServiceContainers(t *testing.T) {
	for _, c := range []struct{ name, from, to, problem string }{
		{"a gRPC probe", "livenessProbe:\n            httpGet: { path: /healthz, port: http }", "livenessProbe:\n            grpc: { port: 50052 }",
			"livenessProbe must be an httpGet of /healthz on the http port"},
		{"liveness on readiness", "httpGet: { path: /healthz, port: http }", "httpGet: { path: /readyz, port: http }",
			"livenessProbe asks for /readyz: use /healthz"},
		{"a probe on the gRPC port", "readinessProbe:\n            httpGet: { path: /readyz, port: http }", "readinessProbe:\n            httpGet: { path: /readyz, port: 50052 }",
			"readinessProbe checks port 50052, but the REST port (named http) is 8082"},
		{"development", "DEPLOY_ENV: production", "DEPLOY_ENV: development", `DEPLOY_ENV="development": the manifests deploy production`},
		{"the development issuer", "AUTH_ISSUER: https://issuer.example.invalid", "AUTH_ISSUER: fooddelivery-dev", "AUTH_ISSUER must be the identity provider's issuer"},
		{"no NATS key", "  NATS_NKEY_SEED_FILE: /etc/fooddelivery/nats/seed.nk\n", "", "NATS_NKEY_SEED_FILE is not set"},
		{"a file outside every volume", "/etc/fooddelivery/jwks/jwks.json", "/etc/jwks/jwks.json", "AUTH_JWKS_FILE=/etc/jwks/jwks.json: no volume is mounted there"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := check(t, edited(t, c.from, c.to))
			expectProblem(t, r, "test.yaml: document 2 (Deployment payment): container payment: ")
			found := false
			for _, p := range r.problems {
				found = found || strings.Contains(p, c.problem)
			}
			if !found {
				t.Errorf("no problem with %q among:\n%s", c.problem, strings.Join(r.problems, "\n"))
			}
		})
	}
}

const policies = `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: fooddelivery
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: payment
  namespace: fooddelivery
spec:
  podSelector:
    matchLabels:
      app.kubernetes.io/name: payment
  policyTypes: [Ingress]
  ingress:
    - from:
        - podSelector:
            matchLabels:
              app.kubernetes.io/name: payment
      ports:
        - port: 50052
        - port: http
`

func TestNetworkPolicies(t *testing.T) {
	if r := check(t, paymentDeployment+policies); len(r.problems) > 0 {
		t.Fatalf("problems:\n%s", strings.Join(r.problems, "\n"))
	}
	t.Run("a Service's port instead of the container's", func(t *testing.T) {
		r := check(t, paymentDeployment+strings.Replace(policies, "port: 50052", "port: 443", 1))
		expectProblem(t, r, "test.yaml: document 4 (NetworkPolicy payment): ingress[0]: port TCP/443 is not a container port of payment")
	})
	t.Run("a port name no container has", func(t *testing.T) {
		r := check(t, paymentDeployment+strings.Replace(policies, "port: http", "port: metrics", 1))
		expectProblem(t, r, "test.yaml: document 4 (NetworkPolicy payment): ingress[0]: port TCP/metrics is not a container port of payment")
	})
	t.Run("a selector that matches nothing", func(t *testing.T) {
		r := check(t, paymentDeployment+strings.Replace(policies, "        - podSelector:\n            matchLabels:\n              app.kubernetes.io/name: payment", "        - podSelector:\n            matchLabels:\n              app.kubernetes.io/name: paymnet", 1))
		expectProblem(t, r, "test.yaml: document 4 (NetworkPolicy payment): ingress[0]: from[0]: podSelector matches no workload's Pods")
	})
	t.Run("no default deny", func(t *testing.T) {
		r := check(t, paymentDeployment+strings.Replace(policies, "policyTypes: [Ingress, Egress]", "policyTypes: [Ingress]", 1))
		expectProblem(t, r, "test.yaml: no default-deny NetworkPolicy")
		expectNoProblem(t, r, "is not a container port")
	})
}
