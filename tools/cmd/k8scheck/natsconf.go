package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nkeys"
	corev1 "k8s.io/api/core/v1"
)

var natsVariable = regexp.MustCompile(`\$([A-Za-z_][A-Za-z0-9_]*)`)

// checkNatsConf parses a ConfigMap's nats.conf with nats-server's own configuration code (the
// version the image runs, see go.mod), builds the server's options as it does at start, and
// checks the choices the cluster depends on: JetStream on, fsync on every write, clients that
// must authenticate, routes authenticated by certificates, and one route per replica of the
// StatefulSet that mounts it.
//
// The server is given what its Pod would give it: the files of the volume nats.conf is in (an
// `include` finds its neighbours), the Pod's other Secret and ConfigMap volumes at their mount
// paths (the operator's certificates replaced by a throwaway one) and the container's environment
// (the operator's nkeys replaced by generated ones).
func (ix *manifestIndex) checkNatsConf(o *object, conf string, r *report) {
	where := o.where() + ": nats.conf"
	dir, err := os.MkdirTemp("", "k8scheck-nats-")
	if err != nil {
		r.problem(where, "%v", err)
		return
	}
	defer os.RemoveAll(dir)

	pod := ix.natsPod(o.name)
	confDir := filepath.Join(dir, "config")
	files := map[string]string{"nats.conf": conf}
	var rewrites []rewrite
	environment := map[string]string(nil)
	if pod != nil {
		environment = ix.podEnvironment(pod)
		for _, m := range pod.container.VolumeMounts {
			v := pod.volumes[m.Name]
			if v == nil || m.SubPath != "" {
				continue
			}
			content, known := ix.volumeFiles(v)
			if !known {
				r.notes = append(r.notes, where+": not parsed, the content of volume "+v.Name+" is known only after kustomize renders it")
				return
			}
			if content == nil {
				continue // not a Secret or ConfigMap
			}
			target := filepath.Join(dir, "mounts", v.Name)
			if m.Name == pod.configVolume {
				target = confDir
				for name, text := range content {
					if name != "nats.conf" {
						files[name] = text
					}
				}
			} else if err := writeFiles(target, content); err != nil {
				r.problem(where, "%v", err)
				return
			}
			rewrites = append(rewrites, rewrite{pod: path.Clean(m.MountPath), local: target})
		}
	}
	sort.Slice(rewrites, func(i, j int) bool { return len(rewrites[i].pod) > len(rewrites[j].pod) })
	for name, text := range files {
		for _, rw := range rewrites {
			text = strings.ReplaceAll(text, rw.pod+"/", rw.local+"/")
		}
		files[name] = text
	}
	if err := writeFiles(confDir, files); err != nil {
		r.problem(where, "%v", err)
		return
	}

	restore := setEnvironment(environment, files)
	opts, err := server.ProcessConfigFile(filepath.Join(confDir, "nats.conf"))
	if err == nil {
		_, err = server.NewServer(opts)
		if err != nil {
			err = prefixed("nats-server refuses the options: ", err)
		}
	}
	restore()
	if err != nil {
		message := err.Error()
		for _, rw := range rewrites {
			message = strings.ReplaceAll(message, rw.local+"/", rw.pod+"/")
		}
		message = strings.ReplaceAll(message, confDir+"/", "")
		r.problem(where, "%s", strings.TrimSpace(message))
		return
	}

	if !opts.JetStream {
		r.problem(where, "JetStream is not enabled (the services' streams and KV buckets need it)")
	}
	if !opts.SyncAlways {
		r.problem(where, "jetstream sync_interval is not `always`: acknowledged messages can be lost when nodes lose power together (Jepsen, NATS 2.12.1)")
	}
	if len(opts.Nkeys) == 0 && len(opts.Users) == 0 && opts.Username == "" && opts.Authorization == "" {
		r.problem(where, "no authorization: any client that reaches the port may publish and subscribe to everything (give each service its nkey, authorization.conf)")
	}
	if opts.NoAuthUser != "" {
		r.problem(where, "no_auth_user %s: clients without credentials are let in as that user", opts.NoAuthUser)
	}
	if len(opts.Routes) > 0 && opts.Cluster.Name == "" {
		r.problem(where, "cluster has routes but no name")
	}
	if tc := opts.Cluster.TLSConfig; opts.Cluster.Port != 0 && (tc == nil || tc.ClientAuth != tls.RequireAndVerifyClientCert || tc.InsecureSkipVerify) {
		r.problem(where, "cluster routes are not authenticated both ways: set cluster.tls (verify: true, not insecure), so that only servers with a certificate of the cluster CA can join")
	}
	if pod != nil && len(opts.Routes) != int(pod.workload.replicas) {
		r.problem(where, "%d cluster routes but StatefulSet %s has %d replicas", len(opts.Routes), pod.workload.o.name, pod.workload.replicas)
	}
}

type rewrite struct{ pod, local string }

type natsPod struct {
	workload     *workload
	container    *corev1.Container
	volumes      map[string]*corev1.Volume
	configVolume string
}

// natsPod finds the StatefulSet whose Pods mount the ConfigMap (directly or projected), and the
// container that mounts it.
func (ix *manifestIndex) natsPod(configMap string) *natsPod {
	for _, w := range ix.workloads {
		if w.sts == nil {
			continue
		}
		volumes := map[string]*corev1.Volume{}
		configVolume := ""
		for i := range w.template.Spec.Volumes {
			v := &w.template.Spec.Volumes[i]
			volumes[v.Name] = v
			for _, name := range configMapsOf(v) {
				if name == configMap {
					configVolume = v.Name
				}
			}
		}
		if configVolume == "" {
			continue
		}
		for i := range w.template.Spec.Containers {
			c := &w.template.Spec.Containers[i]
			for _, m := range c.VolumeMounts {
				if m.Name == configVolume && m.SubPath == "" {
					return &natsPod{workload: w, container: c, volumes: volumes, configVolume: configVolume}
				}
			}
		}
	}
	return nil
}

func configMapsOf(v *corev1.Volume) []string {
	var names []string
	if v.ConfigMap != nil {
		names = append(names, v.ConfigMap.Name)
	}
	if v.Projected != nil {
		for _, source := range v.Projected.Sources {
			if source.ConfigMap != nil {
				names = append(names, source.ConfigMap.Name)
			}
		}
	}
	return names
}

// volumeFiles is what a Secret, ConfigMap or projected volume holds (nil for other kinds); known
// is false when a ConfigMap of it is generated and its files could not be read.
func (ix *manifestIndex) volumeFiles(v *corev1.Volume) (files map[string]string, known bool) {
	add := func(content map[string]string, items []corev1.KeyToPath) {
		if files == nil {
			files = map[string]string{}
		}
		if len(items) == 0 {
			for k, text := range content {
				files[k] = text
			}
			return
		}
		for _, item := range items {
			files[item.Path] = content[item.Key]
		}
	}
	configMap := func(name string, items []corev1.KeyToPath) bool {
		if cm, ok := ix.configMaps[name]; ok {
			content := map[string]string{}
			for k, text := range cm.Data {
				content[k] = text
			}
			add(content, items)
			return true
		}
		if content, ok := ix.generatedData[name]; ok {
			add(content, items)
			return true
		}
		return !ix.generated["ConfigMap/"+name] // not defined at all: reported elsewhere
	}
	secret := func(name string, items []corev1.KeyToPath) {
		content := map[string]string{}
		if s, ok := ix.secrets[name]; ok {
			for k, value := range s.Data {
				content[k] = string(value)
			}
			for k, value := range s.StringData {
				content[k] = value
			}
		} else {
			for _, k := range ix.operatorSecrets[name] {
				content[k] = placeholderFile(k)
			}
		}
		add(content, items)
	}
	switch {
	case v.ConfigMap != nil:
		return files, configMap(v.ConfigMap.Name, v.ConfigMap.Items)
	case v.Secret != nil:
		secret(v.Secret.SecretName, v.Secret.Items)
	case v.Projected != nil:
		for _, source := range v.Projected.Sources {
			if source.ConfigMap != nil && !configMap(source.ConfigMap.Name, source.ConfigMap.Items) {
				return nil, false
			}
			if source.Secret != nil {
				secret(source.Secret.Name, source.Secret.Items)
			}
		}
	}
	return files, true
}

// podEnvironment is the container's environment as far as the manifests tell it: literal values
// (with $(VAR) references expanded), fieldRefs as the first Pod would see them, the keys of the
// Secrets and ConfigMaps of envFrom.
func (ix *manifestIndex) podEnvironment(pod *natsPod) map[string]string {
	env := map[string]string{}
	for _, from := range pod.container.EnvFrom {
		switch {
		case from.ConfigMapRef != nil:
			if cm, ok := ix.configMaps[from.ConfigMapRef.Name]; ok {
				for k, v := range cm.Data {
					env[from.Prefix+k] = v
				}
			}
		case from.SecretRef != nil:
			if s, ok := ix.secrets[from.SecretRef.Name]; ok {
				for k, v := range s.Data {
					env[from.Prefix+k] = string(v)
				}
				for k, v := range s.StringData {
					env[from.Prefix+k] = v
				}
			} else {
				for _, k := range ix.operatorSecrets[from.SecretRef.Name] {
					env[from.Prefix+k] = placeholderValue(k)
				}
			}
		}
	}
	reference := regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`)
	for _, e := range pod.container.Env {
		switch {
		case e.ValueFrom == nil:
			env[e.Name] = reference.ReplaceAllStringFunc(e.Value, func(ref string) string {
				if v, ok := env[reference.FindStringSubmatch(ref)[1]]; ok {
					return v
				}
				return ref
			})
		case e.ValueFrom.FieldRef != nil && e.ValueFrom.FieldRef.FieldPath == "metadata.name":
			env[e.Name] = pod.workload.o.name + "-0"
		default:
			env[e.Name] = placeholderValue(e.Name)
		}
	}
	return env
}

// setEnvironment gives the parser the Pod's environment (or, when no Pod mounts the file, a
// placeholder for each variable the files use) and returns how to put the process's back.
func setEnvironment(environment map[string]string, files map[string]string) func() {
	saved := os.Environ()
	if environment != nil {
		os.Clearenv()
		for k, v := range environment {
			os.Setenv(k, v)
		}
	} else {
		for _, text := range files {
			for _, m := range natsVariable.FindAllStringSubmatch(text, -1) {
				if _, set := os.LookupEnv(m[1]); !set {
					os.Setenv(m[1], placeholderValue(m[1]))
				}
			}
		}
	}
	return func() {
		os.Clearenv()
		for _, kv := range saved {
			if k, v, ok := strings.Cut(kv, "="); ok {
				os.Setenv(k, v)
			}
		}
	}
}

// placeholderValue stands for a variable whose value is not in the manifests; an nkey must at
// least look like one to be accepted.
func placeholderValue(name string) string {
	if strings.HasSuffix(name, "_NKEY") {
		if user, err := nkeys.CreateUser(); err == nil {
			if key, err := user.PublicKey(); err == nil {
				return key
			}
		}
	}
	return "k8scheck-" + strings.ToLower(strings.ReplaceAll(name, "_", "-"))
}

// placeholderFile stands for a file of a Secret the operator creates: a throwaway certificate
// (its own CA) and its key, so that TLS settings load.
func placeholderFile(name string) string {
	switch {
	case strings.HasSuffix(name, ".key"):
		return throwaway.key
	case strings.HasSuffix(name, ".crt") || strings.HasSuffix(name, ".pem"):
		return throwaway.cert
	}
	return placeholderValue(name)
}

var throwaway = func() (pair struct{ cert, key string }) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	template := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "k8scheck placeholder"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		panic(err)
	}
	pair.cert = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	pair.key = string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}))
	return pair
}()

func writeFiles(dir string, files map[string]string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(name)), []byte(text), 0o600); err != nil {
			return err
		}
	}
	return nil
}

type prefixedError struct {
	prefix string
	err    error
}

func (e prefixedError) Error() string { return e.prefix + e.err.Error() }

func prefixed(prefix string, err error) error { return prefixedError{prefix, err} }
