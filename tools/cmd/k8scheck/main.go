// Command k8scheck validates a directory of Kubernetes manifests offline, the way the API server
// would when they are applied, then checks the rules of this project that a schema cannot express.
//
//	k8scheck [-allow-warnings] [-compose docker-compose.yml] [-dockerfile Dockerfile] DIR
//
// Every YAML document of every *.yaml / *.yml file under DIR (kustomization.yaml aside) is
//
//  1. decoded with client-go's scheme in strict mode: an unknown or duplicated field, or a value
//     of the wrong type, is an error;
//  2. defaulted, converted and put through the API server's own create path
//     (k8s.io/kubernetes: the registry strategies' validation, declarative validation and
//     warnings) — the checks `kubectl apply` would meet on a v1.37 cluster; the Prometheus
//     Operator's ServiceMonitor and PrometheusRule, which no API server strategy covers, get the
//     checks of monitoring.go instead (their rules through Prometheus's own rule parser);
//  3. checked against the project's rules (rules.go): probes, rolling updates, security
//     contexts, shutdown timing, the services' configuration variables, references between
//     objects, NetworkPolicies (netpol.go), and nats.conf through nats-server's own
//     configuration parser (natsconf.go).
//
// Every file under DIR, the Compose file, the Dockerfile and the kustomization's generator files
// are also searched for embedded keys and tokens (a JWT, a PEM private key, an nkey seed), and so
// are the values of every Secret: those belong in the Secrets the operator creates (secrets.go).
//
// DIR/kustomization.yaml is decoded as kustomize does (unknown fields fail), must list every
// manifest file, and is rendered with kustomize's library; the rendered objects go through the
// same three steps.
//
// With -compose, a Compose file is loaded as `docker compose` loads it and compared with the
// manifests (compose.go): same images, variable names and ports for the services. With
// -dockerfile, a Dockerfile is parsed and linted by BuildKit's own code (dockerfile.go).
//
// Problems are printed one a line as `FILE: document N (KIND NAME): problem`. Exit status: 0 when
// everything is valid, 1 when a problem (or, without -allow-warnings, an API warning) was found,
// 2 on a usage or I/O error.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/yaml"
)

// object is one decoded manifest document.
type object struct {
	file string // as shown to the user
	doc  int    // 1-based document number in file; 0 for a rendered object
	gvk  schema.GroupVersionKind
	name string
	obj  runtime.Object // typed, external version (k8s.io/api)
}

func (o *object) where() string {
	if o.doc == 0 {
		return fmt.Sprintf("%s (%s %s)", o.file, o.gvk.Kind, o.name)
	}
	return fmt.Sprintf("%s: document %d (%s %s)", o.file, o.doc, o.gvk.Kind, o.name)
}

// report gathers what the run found, in the order found.
type report struct {
	problems []string
	warnings []string
	notes    []string
}

func (r *report) problem(where, format string, args ...any) {
	r.problems = append(r.problems, where+": "+fmt.Sprintf(format, args...))
}

func (r *report) warning(where, format string, args ...any) {
	r.warnings = append(r.warnings, where+": "+fmt.Sprintf(format, args...))
}

// strictDecoder is client-go's universal deserializer with strict field checking: the same
// decoding `kubectl apply --validate=strict` and the API server's strict field validation do.
var strictDecoder = serializer.NewCodecFactory(scheme.Scheme, serializer.EnableStrict).UniversalDeserializer()

func main() {
	allowWarnings := flag.Bool("allow-warnings", false, "do not fail on warnings the API server would return")
	composeFile := flag.String("compose", "", "a Compose file to load and compare with the manifests")
	dockerfile := flag.String("dockerfile", "", "a Dockerfile to parse and lint (BuildKit's parser and linter)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: k8scheck [-allow-warnings] [-compose FILE] [-dockerfile FILE] DIR\n\n"+
			"Validates the Kubernetes manifests under DIR offline: strict decoding, the API server's\n"+
			"validation and this project's rules; renders DIR/kustomization.yaml and checks the result.\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	dir := flag.Arg(0)
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		fmt.Fprintf(os.Stderr, "k8scheck: %s is not a directory\n", dir)
		os.Exit(2)
	}

	r := &report{}
	files, kustomizationFile, err := manifestFiles(dir)
	if err != nil {
		fmt.Fprintf(os.Stderr, "k8scheck: %v\n", err)
		os.Exit(2)
	}

	var kust *kustomization
	if kustomizationFile != "" {
		kust = loadKustomization(dir, kustomizationFile, files, r)
	}
	defaultNamespace := "default" // what kubectl uses when neither the object nor kustomize names one
	var generated map[string]bool
	var generatedData map[string]map[string]string
	secretSources := []string{*composeFile, *dockerfile}
	if kust != nil {
		if kust.k.Namespace != "" {
			defaultNamespace = kust.k.Namespace
		}
		generated = kust.generatedNames()
		generatedData = kust.generatedData()
		secretSources = append(secretSources, kust.generatorPaths()...)
	}
	scanForSecrets(dir, nonEmpty(secretSources), r)

	var objects []*object
	documents, undecodable := 0, 0
	for _, file := range files {
		docs, err := readDocuments(file)
		if err != nil {
			r.problem(file, "%v", err)
			continue
		}
		for i, doc := range docs {
			documents++
			if o := decodeAndValidate(doc, file, i+1, defaultNamespace, r); o != nil {
				objects = append(objects, o)
			} else {
				undecodable++
			}
		}
	}
	partial := undecodable > 0 || (kustomizationFile != "" && kust == nil)
	checkRules(objects, generated, generatedData, defaultNamespace, partial, r)
	if *dockerfile != "" {
		checkDockerfile(*dockerfile, r)
	}
	if *composeFile != "" {
		if partial {
			r.notes = append(r.notes, *composeFile+": not compared with the manifests until they decode")
		} else {
			checkCompose(*composeFile, objects, r)
		}
	}

	// The render repeats every object: it is checked once the files themselves are clean, for what
	// kustomize adds (namespace, generated ConfigMaps, image tags).
	renderSkipped := partial || len(r.problems) > 0
	rendered := 0
	if kust != nil && kust.renderable && !renderSkipped {
		if docs, err := kust.render(); err != nil {
			r.problem(kust.file, "kustomize build: %v", err)
		} else {
			var out []*object
			for _, doc := range docs {
				if o := decodeAndValidate(doc, kust.file+" rendered", 0, defaultNamespace, r); o != nil {
					out = append(out, o)
				}
			}
			rendered = len(out)
			checkRules(out, nil, nil, defaultNamespace, len(out) < len(docs), r)
		}
	}

	for _, note := range r.notes {
		fmt.Fprintf(os.Stderr, "note: %s\n", note)
	}
	for _, w := range r.warnings {
		fmt.Fprintf(os.Stderr, "warning: %s\n", w)
	}
	for _, p := range r.problems {
		fmt.Fprintf(os.Stderr, "error: %s\n", p)
	}
	summary := fmt.Sprintf("k8scheck: %d files, %d documents, %d objects", len(files), documents, len(objects))
	if kust != nil {
		switch {
		case renderSkipped:
			summary += ", kustomize render skipped (fix the errors above first)"
		case kust.renderable:
			summary += fmt.Sprintf(", %d rendered by kustomize", rendered)
		default:
			summary += ", kustomize render skipped (see note)"
		}
	}
	failed := len(r.problems) > 0 || (!*allowWarnings && len(r.warnings) > 0)
	if failed {
		fmt.Fprintf(os.Stderr, "%s: %d problems, %d warnings\n", summary, len(r.problems), len(r.warnings))
		os.Exit(1)
	}
	fmt.Printf("%s: valid (%d warnings)\n", summary, len(r.warnings))
}

func nonEmpty(list []string) []string {
	var out []string
	for _, s := range list {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// manifestFiles lists the YAML files under dir, sorted, and names the kustomization file if any.
func manifestFiles(dir string) (files []string, kustomizationFile string, err error) {
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		ext := filepath.Ext(path)
		if ext != ".yaml" && ext != ".yml" {
			return nil
		}
		switch d.Name() {
		case "kustomization.yaml", "kustomization.yml", "Kustomization":
			if filepath.Dir(path) == filepath.Clean(dir) {
				kustomizationFile = path
			} else {
				files = append(files, path) // a nested kustomization is not part of this check's model
			}
			return nil
		}
		files = append(files, path)
		return nil
	})
	sort.Strings(files)
	return files, kustomizationFile, err
}

// readDocuments splits a YAML stream into its documents, leaving out empty ones (comments only).
func readDocuments(file string) ([][]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	reader := utilyaml.NewYAMLReader(bufio.NewReader(f))
	var docs [][]byte
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		j, err := yaml.YAMLToJSON(doc)
		if err != nil {
			// Kept: decoding reports it with the document's number.
			docs = append(docs, doc)
			continue
		}
		if t := bytes.TrimSpace(j); len(t) == 0 || string(t) == "null" {
			continue
		}
		docs = append(docs, doc)
	}
}

// decodeAndValidate runs steps 1 and 2 on one document; nil when it could not be decoded.
func decodeAndValidate(doc []byte, file string, n int, defaultNamespace string, r *report) *object {
	obj, gvk, err := strictDecoder.Decode(doc, nil, nil)
	if err != nil {
		where := fmt.Sprintf("%s: document %d (%s)", file, n, describeLoosely(doc))
		if n == 0 {
			where = fmt.Sprintf("%s (%s)", file, describeLoosely(doc))
		}
		r.problem(where, "%v", err)
		return nil
	}
	o := &object{file: file, doc: n, gvk: *gvk, obj: obj}
	if accessor, err := meta.Accessor(obj); err == nil {
		o.name = accessor.GetName()
	}
	for _, p := range apiValidate(o, defaultNamespace) {
		if p.warning {
			r.warning(o.where(), "%s", p.message)
		} else {
			r.problem(o.where(), "%s", p.message)
		}
	}
	return o
}

// describeLoosely names a document that failed to decode ("Deployment order", or "?").
func describeLoosely(doc []byte) string {
	var head struct {
		Kind     string `json:"kind"`
		Metadata struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	if err := yaml.Unmarshal(doc, &head); err != nil || head.Kind == "" {
		return "?"
	}
	return strings.TrimSpace(head.Kind + " " + head.Metadata.Name)
}
