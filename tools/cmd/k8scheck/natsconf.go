package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/nats-io/nats-server/v2/server"
)

var natsVariable = regexp.MustCompile(`\$([A-Za-z_][A-Za-z0-9_]*)`)

// checkNatsConf parses a ConfigMap's nats.conf with nats-server's own configuration code (the
// version the image runs, see go.mod), builds the server's options as it does at start, and
// checks the choices the cluster depends on: JetStream on, fsync on every write, and one route
// per replica of the StatefulSet that mounts it.
func (ix *manifestIndex) checkNatsConf(o *object, conf string, r *report) {
	where := o.where() + ": nats.conf"
	// $VARIABLES come from each Pod's environment (e.g. the Pod name); any value parses.
	for _, m := range natsVariable.FindAllStringSubmatch(conf, -1) {
		if _, set := os.LookupEnv(m[1]); !set {
			os.Setenv(m[1], "k8scheck-"+strings.ToLower(strings.ReplaceAll(m[1], "_", "-")))
			defer os.Unsetenv(m[1])
		}
	}
	dir, err := os.MkdirTemp("", "k8scheck-nats-")
	if err != nil {
		r.problem(where, "%v", err)
		return
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "nats.conf")
	if err := os.WriteFile(file, []byte(conf), 0o600); err != nil {
		r.problem(where, "%v", err)
		return
	}
	opts, err := server.ProcessConfigFile(file)
	if err != nil {
		r.problem(where, "%s", strings.TrimSpace(strings.ReplaceAll(err.Error(), file, "nats.conf")))
		return
	}
	if _, err := server.NewServer(opts); err != nil {
		r.problem(where, "nats-server refuses the options: %v", err)
		return
	}
	if !opts.JetStream {
		r.problem(where, "JetStream is not enabled (the services' streams and KV buckets need it)")
	}
	if !opts.SyncAlways {
		r.problem(where, "jetstream sync_interval is not `always`: acknowledged messages can be lost when nodes lose power together (Jepsen, NATS 2.12.1)")
	}
	if len(opts.Routes) > 0 && opts.Cluster.Name == "" {
		r.problem(where, "cluster has routes but no name")
	}
	for _, w := range ix.workloads {
		if w.sts == nil {
			continue
		}
		for _, v := range w.template.Spec.Volumes {
			if v.ConfigMap != nil && v.ConfigMap.Name == o.name && len(opts.Routes) != int(w.replicas) {
				r.problem(where, "%d cluster routes but StatefulSet %s has %d replicas", len(opts.Routes), w.o.name, w.replicas)
			}
		}
	}
}
