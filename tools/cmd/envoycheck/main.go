// Command envoycheck validates Envoy static bootstrap files (YAML or JSON) against Envoy's own
// API: the generated types of go-control-plane, with the constraints (protoc-gen-validate rules)
// that Envoy enforces when it loads a configuration.
//
// It reports, with the YAML line and the field path:
//   - unknown fields, values of the wrong type and `@type`s that do not resolve to a registered
//     Envoy extension type (protojson refuses them);
//   - every violated constraint (required fields, ranges, enums, patterns, ...), also inside every
//     typed_config, which Envoy validates when it instantiates the extension;
//   - deprecated fields, which Envoy warns about and later removes;
//   - references Envoy resolves at load time: routes to undefined clusters, JWT requirements naming
//     undefined providers, per-route filter configs keyed by a name that is not a filter of the
//     connection manager or of the wrong type, and an HTTP filter chain that does not end with the
//     router; duplicate listener, cluster and HTTP filter names.
//
// Usage: envoycheck [-json] FILE... (exit 0 when every file is valid, 1 when one is not, 2 on usage
// or I/O errors). With -json, each valid file is printed as Envoy reads it: JSON with proto field
// names and every typed config expanded, for tests that check what the configuration does.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/debug"

	"google.golang.org/protobuf/encoding/protojson"
)

const envoyModule = "github.com/envoyproxy/go-control-plane/envoy"

func main() {
	printJSON := flag.Bool("json", false, "print each valid file as Envoy reads it (JSON, proto field names, typed configs expanded) on stdout; the verdicts go to stderr")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: envoycheck [-json] FILE...\n\nValidates Envoy bootstrap files (YAML or JSON) against Envoy's API (%s %s).\nExit status: 0 valid, 1 invalid, 2 usage or I/O error.\n\n", envoyModule, apiVersion())
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	verdicts := os.Stdout
	if *printJSON {
		verdicts = os.Stderr
	}
	failed := false
	for _, file := range flag.Args() {
		source, err := os.ReadFile(file)
		if err != nil {
			fmt.Fprintf(os.Stderr, "envoycheck: %v\n", err)
			os.Exit(2)
		}
		report := check(source)
		if len(report.problems) > 0 {
			failed = true
			fmt.Fprintf(os.Stderr, "%s: not a valid Envoy bootstrap (Envoy API %s): %d problem(s)\n", file, apiVersion(), len(report.problems))
			for _, p := range report.problems {
				fmt.Fprintf(os.Stderr, "  %s\n", p.format(file))
			}
			continue
		}
		fmt.Fprintf(verdicts, "%s: valid Envoy bootstrap (Envoy API %s): %s\n", file, apiVersion(), report.summary())
		if *printJSON {
			out, err := protojson.MarshalOptions{UseProtoNames: true}.Marshal(report.bootstrap)
			if err != nil {
				fmt.Fprintf(os.Stderr, "envoycheck: %s: %v\n", file, err)
				os.Exit(2)
			}
			fmt.Printf("%s\n", out)
		}
	}
	if failed {
		os.Exit(1)
	}
}

// apiVersion is the version of go-control-plane's envoy module this binary was built with.
func apiVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == envoyModule {
				return dep.Version
			}
		}
	}
	return "(unknown version)"
}
