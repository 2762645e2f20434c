package main

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// checkCompose loads a Compose file with compose-go (the loader of `docker compose`: the Compose
// specification's schema, interpolation with the ${VAR:-default} values, merges) and compares it
// with the manifests: for each fooddelivery service the same image, the same set of variable
// names (all read by the service), the same gRPC and REST ports, published; and the same images
// for the servers both run (nats, mongodb, postgres).
func checkCompose(file string, objects []*object, r *report) {
	dir, err := filepath.Abs(filepath.Dir(file))
	if err != nil {
		r.problem(file, "%v", err)
		return
	}
	options, err := cli.NewProjectOptions([]string{file}, cli.WithWorkingDirectory(dir), cli.WithInterpolation(true))
	if err != nil {
		r.problem(file, "%v", err)
		return
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		r.problem(file, "%v", err)
		return
	}

	ix := &manifestIndex{configMaps: map[string]*corev1.ConfigMap{}, secrets: map[string]*corev1.Secret{}}
	containers := map[string]*corev1.Container{} // workload name -> its first container
	for _, o := range objects {
		switch obj := o.obj.(type) {
		case *corev1.ConfigMap:
			ix.configMaps[obj.Name] = obj
		case *corev1.Secret:
			ix.secrets[obj.Name] = obj
		case *appsv1.Deployment:
			containers[obj.Name] = &obj.Spec.Template.Spec.Containers[0]
		case *appsv1.StatefulSet:
			containers[obj.Name] = &obj.Spec.Template.Spec.Containers[0]
		}
	}

	for _, service := range serviceNames {
		where := fmt.Sprintf("%s: service %s", file, service)
		s, ok := project.Services[service]
		if !ok {
			r.problem(where, "missing")
			continue
		}
		if serviceOf(s.Image) != service {
			r.problem(where, "image %s: should be fooddelivery/%s:<tag>", s.Image, service)
		}
		if s.Build == nil || s.Build.Args["SERVICE"] == nil || *s.Build.Args["SERVICE"] != service {
			r.problem(where, "build.args.SERVICE should be %s", service)
		}
		allowed := allowedVariables(service)
		composeNames := map[string]bool{}
		for name := range s.Environment {
			composeNames[name] = true
			if !allowed[name] {
				r.problem(where, "%s is not a variable the %s service reads (README, \"Configuration\")", name, service)
			}
		}
		c, ok := containers[service]
		if !ok {
			r.problem(where, "no Deployment %s in the manifests to compare with", service)
			continue
		}
		env, _ := ix.environment(c)
		var onlyCompose, onlyK8s []string
		for name := range composeNames {
			if _, ok := env[name]; !ok {
				onlyCompose = append(onlyCompose, name)
			}
		}
		for name := range env {
			if !composeNames[name] {
				onlyK8s = append(onlyK8s, name)
			}
		}
		sort.Strings(onlyCompose)
		sort.Strings(onlyK8s)
		if len(onlyCompose) > 0 {
			r.problem(where, "sets %s, which the %s Deployment does not", strings.Join(onlyCompose, ", "), service)
		}
		if len(onlyK8s) > 0 {
			r.problem(where, "does not set %s, which the %s Deployment sets", strings.Join(onlyK8s, ", "), service)
		}
		for i, variable := range []string{"GRPC_PORT", "HTTP_PORT"} {
			want := strconv.Itoa(defaultPorts[service][i])
			if v, ok := env[variable]; ok && v.known {
				want = v.value
			}
			got := ""
			if p := s.Environment[variable]; p != nil {
				got = *p
			}
			if got != want {
				r.problem(where, "%s=%q but the manifests say %s", variable, got, want)
			}
			if s.Build != nil && (s.Build.Args[variable] == nil || *s.Build.Args[variable] != want) {
				r.problem(where, "build.args.%s should be %s", variable, want)
			}
			if !publishes(s.Ports, want) {
				r.problem(where, "port %s (%s) is not published", want, variable)
			}
		}
	}
	for _, server := range []string{"nats", "mongodb", "postgres"} {
		s, ok := project.Services[server]
		c, inK8s := containers[server]
		if !ok || !inK8s {
			continue
		}
		if s.Image != c.Image {
			r.problem(fmt.Sprintf("%s: service %s", file, server), "image %s, but the manifests run %s", s.Image, c.Image)
		}
	}
}

func publishes(ports []types.ServicePortConfig, port string) bool {
	for _, p := range ports {
		if strconv.Itoa(int(p.Target)) == port && p.Published == port {
			return true
		}
	}
	return false
}
