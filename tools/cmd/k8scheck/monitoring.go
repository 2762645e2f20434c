package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/client-go/kubernetes/scheme"
)

// The Prometheus Operator's kinds (monitoring.coreos.com/v1) decode strictly into the operator's
// own Go types, like the built-in kinds. No API server strategy exists for them: a cluster checks
// them against their CRD's schema and, for PrometheusRule, the operator's admission webhook with
// Prometheus's own rule parser. validateMonitoring does what those would:
//
//   - ServiceMonitor: a non-empty selector, at least one endpoint, each naming a port; intervals
//     and timeouts that are Prometheus durations, the timeout not longer than the interval;
//   - PrometheusRule: at least one group, and the groups valid as a Prometheus rule file
//     (model/rulefmt: unique group names, alert xor record, expressions that parse, valid labels,
//     annotation templates that parse) — what `promtool check rules` checks.
//
// checkServiceMonitor then checks that the selector finds Services in the namespaces it names and
// that each endpoint's port is a named port of every Service it finds.

var monitoringGroup = monitoringv1.SchemeGroupVersion.Group

func init() {
	utilruntime.Must(monitoringv1.AddToScheme(scheme.Scheme))
}

func validateMonitoring(o *object) []finding {
	var findings []finding
	problem := func(format string, args ...any) {
		findings = append(findings, finding{message: fmt.Sprintf(format, args...)})
	}
	meta, ok := o.obj.(metav1.Object)
	if !ok {
		return []finding{{message: fmt.Sprintf("%s: not an object with metadata", o.gvk.Kind)}}
	}
	for _, msg := range validation.IsDNS1123Subdomain(meta.GetName()) {
		problem("metadata.name: %s", msg)
	}
	switch obj := o.obj.(type) {
	case *monitoringv1.ServiceMonitor:
		spec := obj.Spec
		if len(spec.Selector.MatchLabels) == 0 && len(spec.Selector.MatchExpressions) == 0 {
			problem("spec.selector: empty: it would select every Service of the namespace")
		} else if _, err := metav1.LabelSelectorAsSelector(&spec.Selector); err != nil {
			problem("spec.selector: %v", err)
		}
		if len(spec.Endpoints) == 0 {
			problem("spec.endpoints: Required value")
		}
		for i, e := range spec.Endpoints {
			at := fmt.Sprintf("spec.endpoints[%d]", i)
			if e.Port == "" {
				problem("%s.port: Required value: name the Service port to scrape", at)
			}
			interval, intervalOK := duration(e.Interval, at+".interval", problem)
			timeout, timeoutOK := duration(e.ScrapeTimeout, at+".scrapeTimeout", problem)
			if intervalOK && timeoutOK && e.Interval != "" && e.ScrapeTimeout != "" && timeout > interval {
				problem("%s.scrapeTimeout: %s is longer than the interval %s", at, e.ScrapeTimeout, e.Interval)
			}
			if e.Scheme != nil && e.Scheme.String() != "http" && e.Scheme.String() != "https" {
				problem("%s.scheme: Unsupported value: %q", at, e.Scheme.String())
			}
		}
	case *monitoringv1.PrometheusRule:
		if len(obj.Spec.Groups) == 0 {
			problem("spec.groups: Required value")
			break
		}
		for _, err := range ruleFileProblems(obj.Spec.Groups) {
			// Without the line and column: they are positions in the groups' JSON, not in the file.
			var ruleErr *rulefmt.Error
			if errors.As(err, &ruleErr) && ruleErr.Err.Unwrap() != nil {
				problem("spec.groups: group %q, rule %d (%s): %v", ruleErr.Group, ruleErr.Rule, ruleErr.RuleName, ruleErr.Err.Unwrap())
			} else {
				problem("spec.groups: %v", err)
			}
		}
	default:
		problem("%s: no checks for this kind here: add them to tools/cmd/k8scheck/monitoring.go", o.gvk.Kind)
	}
	return findings
}

func duration(d monitoringv1.Duration, at string, problem func(string, ...any)) (model.Duration, bool) {
	if d == "" {
		return 0, true
	}
	parsed, err := model.ParseDuration(string(d))
	if err != nil {
		problem("%s: %v", at, err)
		return 0, false
	}
	return parsed, true
}

// ruleFileProblems parses the groups as the rule file Prometheus loads from them.
func ruleFileProblems(groups []monitoringv1.RuleGroup) []error {
	content, err := json.Marshal(map[string]any{"groups": groups}) // JSON is YAML
	if err != nil {
		return []error{err}
	}
	// partial_response_strategy is Thanos's, which the operator leaves out for Prometheus.
	_, errs := rulefmt.Parse(content, true, model.UTF8Validation, parser.NewParser(parser.Options{}), slog.New(slog.NewTextHandler(io.Discard, nil)))
	return errs
}

func (ix *manifestIndex) checkServiceMonitor(o *object, r *report) {
	sm := o.obj.(*monitoringv1.ServiceMonitor)
	where := o.where()
	selector, err := metav1.LabelSelectorAsSelector(&sm.Spec.Selector)
	if err != nil || selector.Empty() {
		return // reported by validateMonitoring
	}
	namespaces := map[string]bool{}
	switch {
	case sm.Spec.NamespaceSelector.Any:
		namespaces = nil
	case len(sm.Spec.NamespaceSelector.MatchNames) > 0:
		for _, ns := range sm.Spec.NamespaceSelector.MatchNames {
			namespaces[ns] = true
		}
	default:
		namespaces[ix.namespaceOf(sm)] = true
	}
	var selected []*corev1.Service
	for _, s := range ix.services {
		svc := s.obj.(*corev1.Service)
		if (namespaces == nil || namespaces[ix.namespaceOf(svc)]) && selector.Matches(labels.Set(svc.Labels)) {
			selected = append(selected, svc)
		}
	}
	if len(selected) == 0 {
		if !ix.partial {
			r.problem(where, "selector %s matches no Service", selector.String())
		}
		return
	}
	for i, e := range sm.Spec.Endpoints {
		if e.Port == "" {
			continue
		}
		for _, svc := range selected {
			found := false
			for _, p := range svc.Spec.Ports {
				found = found || p.Name == e.Port
			}
			if !found {
				r.problem(where, "spec.endpoints[%d].port: Service %s has no port named %q", i, svc.Name, e.Port)
			}
		}
	}
}

func (ix *manifestIndex) namespaceOf(obj metav1.Object) string {
	if ns := obj.GetNamespace(); ns != "" {
		return ns
	}
	return ix.defaultNamespace
}
