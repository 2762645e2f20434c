package main

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// checkDockerfile parses a Dockerfile with BuildKit's own parser and instruction parser (what
// `docker build` runs first), with BuildKit's linter on, then checks the shape this project
// relies on: a `service` stage as the default (last) target, an `envoy` target, the service image
// (and the Python `marketing` image, when that stage exists) running as user 10001 with an
// exec-form CMD and no HEALTHCHECK. Base images are not resolved: nothing is fetched.
func checkDockerfile(file string, r *report) {
	data, err := os.ReadFile(file)
	if err != nil {
		r.problem(file, "%v", err)
		return
	}
	at := func(ranges []parser.Range) string {
		if len(ranges) == 0 {
			return file
		}
		return fmt.Sprintf("%s:%d", file, ranges[0].Start.Line)
	}
	result, err := parser.Parse(bytes.NewReader(data))
	if err != nil {
		r.problem(file, "%v", err)
		return
	}
	for _, w := range result.Warnings {
		where := file
		if w.Location != nil {
			where = at([]parser.Range{*w.Location})
		}
		r.problem(where, "%s", w.Short)
	}
	lint := linter.New(&linter.Config{Warn: func(rule, _, _, message string, location []parser.Range) {
		r.problem(at(location), "%s (BuildKit lint rule %s)", message, rule)
	}})
	stages, _, err := instructions.Parse(result.AST, lint)
	if err != nil {
		r.problem(file, "%v", err)
		return
	}

	byName := map[string]*instructions.Stage{}
	for i := range stages {
		byName[stages[i].Name] = &stages[i]
		for _, c := range stages[i].Commands {
			if h, ok := c.(*instructions.HealthCheckCommand); ok {
				r.problem(at(h.Location()), "HEALTHCHECK: the images leave health to the orchestrator's probes")
			}
		}
	}
	if byName["envoy"] == nil {
		r.problem(file, "no stage named envoy (docker build --target envoy)")
	}
	if len(stages) == 0 || stages[len(stages)-1].Name != "service" {
		r.problem(file, "the last stage (the default target) should be named service")
		return
	}
	checkServiceStage(&stages[len(stages)-1], at, r)
	if marketing := byName["marketing"]; marketing != nil {
		checkServiceStage(marketing, at, r)
	}
}

// checkServiceStage: a stage an image of a service is built from runs as user 10001 (the
// manifests' runAsUser) with an exec-form CMD, and declares the build arguments compose passes.
func checkServiceStage(stage *instructions.Stage, at func([]parser.Range) string, r *report) {
	var user string
	var cmd *instructions.CmdCommand
	args := map[string]bool{}
	for _, c := range stage.Commands {
		switch c := c.(type) {
		case *instructions.UserCommand:
			user = c.User
		case *instructions.CmdCommand:
			cmd = c
		case *instructions.ArgCommand:
			for _, a := range c.Args {
				args[a.Key] = true
			}
		}
	}
	for _, arg := range []string{"SERVICE", "GRPC_PORT", "HTTP_PORT"} {
		if !args[arg] {
			r.problem(at(stage.Location), "stage %s: no ARG %s", stage.Name, arg)
		}
	}
	if uid, _, _ := strings.Cut(user, ":"); uid != "10001" {
		r.problem(at(stage.Location), "stage %s: USER is %q, not 10001 (the manifests' runAsUser)", stage.Name, user)
	}
	if cmd == nil {
		r.problem(at(stage.Location), "stage %s: no CMD", stage.Name)
	} else if cmd.PrependShell {
		r.problem(at(cmd.Location()), "CMD in shell form: the shell, not the service, would get SIGTERM")
	}
}
