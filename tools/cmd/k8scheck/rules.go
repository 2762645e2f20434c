package main

import (
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	psaapi "k8s.io/pod-security-admission/api"
	psapolicy "k8s.io/pod-security-admission/policy"
)

// The project's rules: what the schema and the API server accept but this deployment relies on.
//
// Every workload (Deployment, StatefulSet):
//   - its Pod template passes Pod Security Admission at the level its Namespace enforces
//     (k8s.io/pod-security-admission, the admission plugin's own checks);
//   - liveness and readiness probes on every container; CPU and memory requests and a memory limit;
//   - non-root (runAsNonRoot, a non-zero runAsUser), no privilege escalation, ALL capabilities
//     dropped, seccomp RuntimeDefault, read-only root filesystem;
//   - every ConfigMap, Secret and key it refers to exists (or is made by a kustomize generator).
//
// Every Deployment: a RollingUpdate with maxUnavailable 0, and a preStop pause on every container
// so that the Pod leaves the Service endpoints before it gets SIGTERM.
//
// Every container of image fooddelivery/<service> (order, payment, store, notification, marketing):
//   - sets only variables the service reads (configvars.go), directly or through envFrom;
//   - runs with DEPLOY_ENV=production, AUTH_MODE=jwt, an issuer other than the development one,
//     its NATS key (NATS_NKEY_SEED_FILE) and mutual TLS on gRPC (GRPC_TLS_*);
//   - every *_FILE variable names a file of a volume the container mounts (a key of the Secret or
//     ConfigMap there), and a token file is mounted as a directory so that the kubelet updates it;
//   - names its ports grpc and http, matching GRPC_PORT and HTTP_PORT;
//   - has HTTP probes on the http port: startup and readiness on /readyz, liveness on /healthz
//     (the gRPC port wants a client certificate, which the kubelet cannot present);
//   - has a writable /tmp (tsx keeps its compile cache there, Python its scratch files) since the
//     root is read-only;
//   - has an explicit image tag, not latest;
//   - terminationGracePeriodSeconds exceeds preStop pause + SHUTDOWN_GRACE_MS.
//
// Services select at least one workload and name ports those Pods have; a Service in front of a
// fooddelivery service is ClusterIP with ports grpc (appProtocol grpc) and http. A StatefulSet's
// serviceName is a headless Service. HPAs scale an existing workload whose containers request
// CPU; PDBs select a workload and leave room for one eviction. nats.conf is checked by nats-server.
// NetworkPolicies select Pods that exist, and allow only ports those Pods have (netpol.go).
// A ServiceMonitor selects Services that exist and scrapes ports they name (monitoring.go).
// The Secrets of operatorSecrets (secrets.go) are referred to, never defined; no Secret value holds
// a key or a token.

type workload struct {
	o        *object
	replicas int32
	template *corev1.PodTemplateSpec
	dep      *appsv1.Deployment
	sts      *appsv1.StatefulSet
}

type manifestIndex struct {
	// partial: some document could not be decoded (or the kustomization not read), so a missing
	// object may only be one that failed; "not defined here" findings are left out.
	partial          bool
	defaultNamespace string
	namespaces       map[string]*corev1.Namespace
	configMaps       map[string]*corev1.ConfigMap
	secrets          map[string]*corev1.Secret
	generated        map[string]bool              // "ConfigMap/NAME", "Secret/NAME" from kustomize generators
	generatedData    map[string]map[string]string // ConfigMap NAME -> key -> content, of the generators' files
	operatorSecrets  map[string][]string
	networkPolicies  []*object
	workloads        []*workload
	services         []*object
	hpas             []*object
	pdbs             []*object
	serviceMonitors  []*object
}

func checkRules(objects []*object, generated map[string]bool, generatedData map[string]map[string]string, defaultNamespace string, partial bool, r *report) {
	ix := &manifestIndex{
		partial: partial, defaultNamespace: defaultNamespace, namespaces: map[string]*corev1.Namespace{},
		configMaps: map[string]*corev1.ConfigMap{}, secrets: map[string]*corev1.Secret{}, generated: generated,
		generatedData: generatedData, operatorSecrets: operatorSecrets(),
	}
	for _, o := range objects {
		switch obj := o.obj.(type) {
		case *corev1.Namespace:
			ix.namespaces[obj.Name] = obj
		case *corev1.ConfigMap:
			ix.configMaps[obj.Name] = obj
		case *corev1.Secret:
			ix.secrets[obj.Name] = obj
			if _, ok := ix.operatorSecrets[obj.Name]; ok {
				r.problem(o.where(), "Secret %s holds keys the operator creates (deploy/make-secrets.ts); it must not be defined in the manifests", obj.Name)
			}
			checkSecretValues(o, obj.Data, r)
		case *networkingv1.NetworkPolicy:
			ix.networkPolicies = append(ix.networkPolicies, o)
		case *appsv1.Deployment:
			ix.workloads = append(ix.workloads, &workload{o: o, replicas: replicas(obj.Spec.Replicas), template: &obj.Spec.Template, dep: obj})
		case *appsv1.StatefulSet:
			ix.workloads = append(ix.workloads, &workload{o: o, replicas: replicas(obj.Spec.Replicas), template: &obj.Spec.Template, sts: obj})
		case *corev1.Service:
			ix.services = append(ix.services, o)
		case *autoscalingv2.HorizontalPodAutoscaler:
			ix.hpas = append(ix.hpas, o)
		case *policyv1.PodDisruptionBudget:
			ix.pdbs = append(ix.pdbs, o)
		case *monitoringv1.ServiceMonitor:
			ix.serviceMonitors = append(ix.serviceMonitors, o)
		}
	}
	for _, w := range ix.workloads {
		ix.checkWorkload(w, r)
	}
	for _, o := range ix.services {
		ix.checkService(o, r)
	}
	for _, o := range ix.hpas {
		ix.checkHPA(o, r)
	}
	for _, o := range ix.pdbs {
		ix.checkPDB(o, r)
	}
	for _, o := range ix.networkPolicies {
		ix.checkNetworkPolicy(o, r)
	}
	for _, o := range ix.serviceMonitors {
		ix.checkServiceMonitor(o, r)
	}
	ix.checkDefaultDeny(r)
	for _, o := range objects {
		if cm, ok := o.obj.(*corev1.ConfigMap); ok {
			if conf, ok := cm.Data["nats.conf"]; ok {
				ix.checkNatsConf(o, conf, r)
			}
		}
	}
}

func replicas(p *int32) int32 {
	if p == nil {
		return 1
	}
	return *p
}

// serviceOf names the fooddelivery service a container runs ("" for anything else).
func serviceOf(image string) string {
	repository, _, _ := strings.Cut(image, "@")
	if i := strings.LastIndex(repository, ":"); i > strings.LastIndex(repository, "/") {
		repository = repository[:i]
	}
	parts := strings.Split(repository, "/")
	if len(parts) < 2 || parts[len(parts)-2] != "fooddelivery" {
		return ""
	}
	if _, ok := serviceVariables[parts[len(parts)-1]]; !ok {
		return ""
	}
	return parts[len(parts)-1]
}

func imageTag(image string) string {
	repository, _, _ := strings.Cut(image, "@")
	if i := strings.LastIndex(repository, ":"); i > strings.LastIndex(repository, "/") {
		return repository[i+1:]
	}
	return ""
}

func (ix *manifestIndex) checkWorkload(w *workload, r *report) {
	where := w.o.where()
	spec := &w.template.Spec
	ix.checkPodSecurity(w, r)
	containers := append(append([]corev1.Container{}, spec.InitContainers...), spec.Containers...)
	for i := range containers {
		c := &containers[i]
		cw := fmt.Sprintf("%s: container %s", where, c.Name)
		isInit := i < len(spec.InitContainers)
		if !isInit {
			if c.LivenessProbe == nil {
				r.problem(cw, "no livenessProbe")
			}
			if c.ReadinessProbe == nil {
				r.problem(cw, "no readinessProbe")
			}
		}
		checkResources(c, cw, r)
		checkSecurity(spec, c, cw, r)
		ix.checkReferences(c, cw, r)
	}
	for _, v := range spec.Volumes {
		if v.ConfigMap != nil && !optional(v.ConfigMap.Optional) {
			ix.requireConfigMap(v.ConfigMap.Name, keysOf(v.ConfigMap.Items), fmt.Sprintf("%s: volume %s", where, v.Name), r)
		}
		if v.Secret != nil && !optional(v.Secret.Optional) {
			ix.requireSecret(v.Secret.SecretName, keysOf(v.Secret.Items), fmt.Sprintf("%s: volume %s", where, v.Name), r)
		}
		if v.Projected != nil {
			for _, source := range v.Projected.Sources {
				if source.ConfigMap != nil && !optional(source.ConfigMap.Optional) {
					ix.requireConfigMap(source.ConfigMap.Name, keysOf(source.ConfigMap.Items), fmt.Sprintf("%s: volume %s", where, v.Name), r)
				}
				if source.Secret != nil && !optional(source.Secret.Optional) {
					ix.requireSecret(source.Secret.Name, keysOf(source.Secret.Items), fmt.Sprintf("%s: volume %s", where, v.Name), r)
				}
			}
		}
	}

	if w.dep != nil {
		s := w.dep.Spec.Strategy
		if s.Type != "" && s.Type != appsv1.RollingUpdateDeploymentStrategyType {
			r.problem(where, "strategy %s: use RollingUpdate", s.Type)
		} else if s.RollingUpdate == nil || s.RollingUpdate.MaxUnavailable == nil || !isZero(*s.RollingUpdate.MaxUnavailable) {
			r.problem(where, "rolling update must set maxUnavailable: 0 (the default, 25%%, takes Pods away before new ones are ready)")
		}
		for _, c := range spec.Containers {
			if c.Lifecycle == nil || c.Lifecycle.PreStop == nil {
				r.problem(fmt.Sprintf("%s: container %s", where, c.Name), "no preStop pause: the Pod would get SIGTERM while still in the Service endpoints")
			}
		}
	}
	if w.sts != nil {
		ix.checkStatefulSetService(w, r)
	}

	for i := range spec.Containers {
		if service := serviceOf(spec.Containers[i].Image); service != "" {
			ix.checkServiceContainer(w, &spec.Containers[i], service, r)
		}
	}
}

func (ix *manifestIndex) checkServiceContainer(w *workload, c *corev1.Container, service string, r *report) {
	cw := fmt.Sprintf("%s: container %s", w.o.where(), c.Name)
	if tag := imageTag(c.Image); tag == "" || tag == "latest" {
		r.problem(cw, "image %s: give an explicit tag (fooddelivery/%s:<tag>), not latest", c.Image, service)
	}

	env, unknownSources := ix.environment(c)
	allowed := allowedVariables(service)
	var names []string
	for name := range env {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if !allowed[name] {
			r.problem(cw, "%s (from %s) is not a variable the %s service reads (README, \"Configuration\")", name, env[name].source, service)
		}
	}
	for _, source := range unknownSources {
		r.notes = append(r.notes, fmt.Sprintf("%s: the variables of %s are known only after kustomize renders it", cw, source))
	}

	ports := map[string]int32{}
	for _, p := range c.Ports {
		ports[p.Name] = p.ContainerPort
	}
	for i, name := range []string{"grpc", "http"} {
		variable := strings.ToUpper(name) + "_PORT" // GRPC_PORT, HTTP_PORT
		want := defaultPorts[service][i]
		if v, ok := env[variable]; ok && v.known {
			n, err := strconv.Atoi(v.value)
			if err != nil {
				r.problem(cw, "%s=%q is not a port number", variable, v.value)
				continue
			}
			want = n
		}
		got, ok := ports[name]
		if !ok {
			r.problem(cw, "no container port named %s (%s %d)", name, variable, want)
		} else if int(got) != want {
			r.problem(cw, "container port %s is %d but the service listens on %s=%d", name, got, variable, want)
		}
	}

	ix.checkProbes(c, cw, ports["http"], r)
	ix.checkProduction(c, env, cw, r)
	ix.checkFileVariables(w, c, env, cw, r)

	graceMs := defaultShutdownGraceMs
	if v, ok := env["SHUTDOWN_GRACE_MS"]; ok && v.known {
		n, err := strconv.Atoi(v.value)
		if err != nil {
			r.problem(cw, "SHUTDOWN_GRACE_MS=%q is not a number", v.value)
		} else {
			graceMs = n
		}
	}
	pauseMs := preStopPauseMs(c)
	period := int64(corev1.DefaultTerminationGracePeriodSeconds)
	if p := w.template.Spec.TerminationGracePeriodSeconds; p != nil {
		period = *p
	}
	if period*1000 <= int64(pauseMs+graceMs) {
		r.problem(cw, "terminationGracePeriodSeconds %d does not exceed the preStop pause (%d ms) plus SHUTDOWN_GRACE_MS (%d ms): the drain would be cut by SIGKILL", period, pauseMs, graceMs)
	}

	if c.SecurityContext != nil && c.SecurityContext.ReadOnlyRootFilesystem != nil && *c.SecurityContext.ReadOnlyRootFilesystem {
		writableTmp := false
		for _, m := range c.VolumeMounts {
			if path.Clean(m.MountPath) == "/tmp" && !m.ReadOnly {
				writableTmp = true
			}
		}
		if !writableTmp {
			r.problem(cw, "the root filesystem is read-only but /tmp is not a writable volume (tsx caches compiled sources there)")
		}
	}
}

// preStopPauseMs is how long the preStop hook pauses, when it is a sleep (else 0).
func preStopPauseMs(c *corev1.Container) int {
	if c.Lifecycle == nil || c.Lifecycle.PreStop == nil {
		return 0
	}
	h := c.Lifecycle.PreStop
	if h.Sleep != nil {
		return int(h.Sleep.Seconds) * 1000
	}
	if h.Exec != nil && len(h.Exec.Command) == 2 && path.Base(h.Exec.Command[0]) == "sleep" {
		if s, err := strconv.ParseFloat(h.Exec.Command[1], 64); err == nil {
			return int(s * 1000)
		}
	}
	return 0
}

type envValue struct {
	value  string
	known  bool
	source string
}

// environment resolves a container's variables from envFrom and env; values from Secrets and
// fieldRefs are not known. unknownSources names generated ConfigMaps/Secrets whose keys are not.
func (ix *manifestIndex) environment(c *corev1.Container) (map[string]envValue, []string) {
	env := map[string]envValue{}
	var unknownSources []string
	for _, from := range c.EnvFrom {
		switch {
		case from.ConfigMapRef != nil:
			source := "ConfigMap " + from.ConfigMapRef.Name
			cm, ok := ix.configMaps[from.ConfigMapRef.Name]
			if !ok {
				if ix.generated["ConfigMap/"+from.ConfigMapRef.Name] {
					unknownSources = append(unknownSources, source)
				}
				continue
			}
			for k, v := range cm.Data {
				env[from.Prefix+k] = envValue{value: v, known: true, source: source}
			}
		case from.SecretRef != nil:
			source := "Secret " + from.SecretRef.Name
			s, ok := ix.secrets[from.SecretRef.Name]
			if !ok {
				if keys, operator := ix.operatorSecrets[from.SecretRef.Name]; operator {
					for _, k := range keys {
						env[from.Prefix+k] = envValue{source: source}
					}
				} else if ix.generated["Secret/"+from.SecretRef.Name] {
					unknownSources = append(unknownSources, source)
				}
				continue
			}
			for k := range s.Data {
				env[from.Prefix+k] = envValue{source: source}
			}
			for k := range s.StringData {
				env[from.Prefix+k] = envValue{source: source}
			}
		}
	}
	for _, e := range c.Env {
		if e.ValueFrom == nil {
			env[e.Name] = envValue{value: e.Value, known: !strings.Contains(e.Value, "$("), source: "env"}
		} else {
			env[e.Name] = envValue{source: "env valueFrom"}
		}
	}
	return env, unknownSources
}

func checkResources(c *corev1.Container, cw string, r *report) {
	if _, ok := c.Resources.Requests[corev1.ResourceCPU]; !ok {
		r.problem(cw, "no CPU request (the scheduler and the HPA need it)")
	}
	if _, ok := c.Resources.Requests[corev1.ResourceMemory]; !ok {
		r.problem(cw, "no memory request")
	}
	if _, ok := c.Resources.Limits[corev1.ResourceMemory]; !ok {
		r.problem(cw, "no memory limit")
	}
}

func checkSecurity(spec *corev1.PodSpec, c *corev1.Container, cw string, r *report) {
	pod := spec.SecurityContext
	if pod == nil {
		pod = &corev1.PodSecurityContext{}
	}
	sc := c.SecurityContext
	if sc == nil {
		sc = &corev1.SecurityContext{}
	}
	runAsNonRoot := sc.RunAsNonRoot
	if runAsNonRoot == nil {
		runAsNonRoot = pod.RunAsNonRoot
	}
	if runAsNonRoot == nil || !*runAsNonRoot {
		r.problem(cw, "runAsNonRoot is not true")
	}
	runAsUser := sc.RunAsUser
	if runAsUser == nil {
		runAsUser = pod.RunAsUser
	}
	if runAsUser == nil {
		r.problem(cw, "no runAsUser: runAsNonRoot alone fails at start on an image whose user is root or a name")
	} else if *runAsUser == 0 {
		r.problem(cw, "runAsUser is 0 (root)")
	}
	if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		r.problem(cw, "allowPrivilegeEscalation is not false")
	}
	dropsAll := false
	if sc.Capabilities != nil {
		for _, capability := range sc.Capabilities.Drop {
			if capability == "ALL" {
				dropsAll = true
			}
		}
	}
	if !dropsAll {
		r.problem(cw, "capabilities do not drop ALL")
	}
	seccomp := sc.SeccompProfile
	if seccomp == nil {
		seccomp = pod.SeccompProfile
	}
	if seccomp == nil || seccomp.Type != corev1.SeccompProfileTypeRuntimeDefault {
		r.problem(cw, "seccompProfile is not RuntimeDefault")
	}
	if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		r.problem(cw, "readOnlyRootFilesystem is not true (mount an emptyDir where the program writes)")
	}
}

func (ix *manifestIndex) checkReferences(c *corev1.Container, cw string, r *report) {
	for _, from := range c.EnvFrom {
		if from.ConfigMapRef != nil && !optional(from.ConfigMapRef.Optional) {
			ix.requireConfigMap(from.ConfigMapRef.Name, nil, cw+": envFrom", r)
		}
		if from.SecretRef != nil && !optional(from.SecretRef.Optional) {
			ix.requireSecret(from.SecretRef.Name, nil, cw+": envFrom", r)
		}
	}
	for _, e := range c.Env {
		if e.ValueFrom == nil {
			continue
		}
		if ref := e.ValueFrom.ConfigMapKeyRef; ref != nil && !optional(ref.Optional) {
			ix.requireConfigMap(ref.Name, []string{ref.Key}, cw+": env "+e.Name, r)
		}
		if ref := e.ValueFrom.SecretKeyRef; ref != nil && !optional(ref.Optional) {
			ix.requireSecret(ref.Name, []string{ref.Key}, cw+": env "+e.Name, r)
		}
	}
}

func optional(p *bool) bool { return p != nil && *p }

func keysOf(items []corev1.KeyToPath) []string {
	var keys []string
	for _, item := range items {
		keys = append(keys, item.Key)
	}
	return keys
}

func (ix *manifestIndex) requireConfigMap(name string, keys []string, where string, r *report) {
	cm, ok := ix.configMaps[name]
	if !ok {
		if !ix.generated["ConfigMap/"+name] && !ix.partial {
			r.problem(where, "ConfigMap %s is not defined here", name)
		}
		return
	}
	for _, key := range keys {
		_, inData := cm.Data[key]
		_, inBinary := cm.BinaryData[key]
		if !inData && !inBinary {
			r.problem(where, "ConfigMap %s has no key %s", name, key)
		}
	}
}

func (ix *manifestIndex) requireSecret(name string, keys []string, where string, r *report) {
	s, ok := ix.secrets[name]
	if operatorKeys, operator := ix.operatorSecrets[name]; !ok && operator {
		for _, key := range keys {
			if !contains(operatorKeys, key) {
				r.problem(where, "Secret %s (created by the operator, deploy/make-secrets.ts) has no key %s; it has %s", name, key, strings.Join(operatorKeys, ", "))
			}
		}
		return
	}
	if !ok {
		if !ix.generated["Secret/"+name] && !ix.partial {
			r.problem(where, "Secret %s is not defined here", name)
		}
		return
	}
	for _, key := range keys {
		_, inData := s.Data[key]
		_, inString := s.StringData[key]
		if !inData && !inString {
			r.problem(where, "Secret %s has no key %s", name, key)
		}
	}
}

func isZero(v intstr.IntOrString) bool {
	if v.Type == intstr.Int {
		return v.IntVal == 0
	}
	return strings.TrimSuffix(v.StrVal, "%") == "0"
}

// selecting lists the workloads whose Pod template the selector matches.
func (ix *manifestIndex) selecting(selector labels.Selector) []*workload {
	var matched []*workload
	for _, w := range ix.workloads {
		if !selector.Empty() && selector.Matches(labels.Set(w.template.Labels)) {
			matched = append(matched, w)
		}
	}
	return matched
}

func (ix *manifestIndex) checkService(o *object, r *report) {
	svc := o.obj.(*corev1.Service)
	where := o.where()
	if len(svc.Spec.Selector) == 0 {
		return // endpoints managed by hand: nothing to match
	}
	matched := ix.selecting(labels.SelectorFromSet(svc.Spec.Selector))
	if len(matched) == 0 {
		if !ix.partial {
			r.problem(where, "selector %v matches no workload's Pods", svc.Spec.Selector)
		}
		return
	}
	fronted := ""
	for _, w := range matched {
		for _, c := range w.template.Spec.Containers {
			if s := serviceOf(c.Image); s != "" {
				fronted = s
			}
		}
		for _, p := range svc.Spec.Ports {
			if !hasPort(w.template.Spec.Containers, p.TargetPort, p.Port) {
				r.problem(where, "port %s: target %s is not a port of %s", p.Name, p.TargetPort.String(), w.o.name)
			}
		}
	}
	if fronted == "" {
		return
	}
	if svc.Spec.Type != "" && svc.Spec.Type != corev1.ServiceTypeClusterIP {
		r.problem(where, "type %s: the %s service is reached inside the cluster only (ClusterIP)", svc.Spec.Type, fronted)
	}
	byName := map[string]corev1.ServicePort{}
	for _, p := range svc.Spec.Ports {
		byName[p.Name] = p
	}
	if p, ok := byName["grpc"]; !ok {
		r.problem(where, "no port named grpc")
	} else if p.AppProtocol == nil || *p.AppProtocol != "grpc" {
		r.problem(where, "port grpc needs appProtocol: grpc")
	}
	if _, ok := byName["http"]; !ok {
		r.problem(where, "no port named http")
	}
}

func hasPort(containers []corev1.Container, target intstr.IntOrString, port int32) bool {
	for _, c := range containers {
		for _, p := range c.Ports {
			switch {
			case target.Type == intstr.String && target.StrVal != "" && p.Name == target.StrVal:
				return true
			case target.Type == intstr.Int && target.IntVal != 0 && p.ContainerPort == target.IntVal:
				return true
			case target.Type == intstr.Int && target.IntVal == 0 && p.ContainerPort == port:
				return true
			}
		}
	}
	return false
}

func (ix *manifestIndex) workloadNamed(kind, name string) *workload {
	for _, w := range ix.workloads {
		if w.o.gvk.Kind == kind && w.o.name == name {
			return w
		}
	}
	return nil
}

func (ix *manifestIndex) checkHPA(o *object, r *report) {
	hpa := o.obj.(*autoscalingv2.HorizontalPodAutoscaler)
	ref := hpa.Spec.ScaleTargetRef
	w := ix.workloadNamed(ref.Kind, ref.Name)
	if w == nil {
		if !ix.partial {
			r.problem(o.where(), "scaleTargetRef %s %s is not defined here", ref.Kind, ref.Name)
		}
		return
	}
	usesCPU := false
	for _, m := range hpa.Spec.Metrics {
		if m.Resource != nil && m.Resource.Name == corev1.ResourceCPU {
			usesCPU = true
		}
	}
	if usesCPU {
		for _, c := range w.template.Spec.Containers {
			if _, ok := c.Resources.Requests[corev1.ResourceCPU]; !ok {
				r.problem(o.where(), "scales on CPU utilization but container %s of %s requests no CPU", c.Name, ref.Name)
			}
		}
	}
}

// minReplicas is the fewest Pods a workload runs: its HPA's minimum when it has one.
func (ix *manifestIndex) minReplicas(w *workload) int32 {
	for _, o := range ix.hpas {
		hpa := o.obj.(*autoscalingv2.HorizontalPodAutoscaler)
		if hpa.Spec.ScaleTargetRef.Kind == w.o.gvk.Kind && hpa.Spec.ScaleTargetRef.Name == w.o.name {
			if hpa.Spec.MinReplicas == nil {
				return 1
			}
			return *hpa.Spec.MinReplicas
		}
	}
	return w.replicas
}

func (ix *manifestIndex) checkPDB(o *object, r *report) {
	pdb := o.obj.(*policyv1.PodDisruptionBudget)
	selector, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
	if err != nil {
		return // the API validation reported it
	}
	matched := ix.selecting(selector)
	if len(matched) == 0 {
		if !ix.partial {
			r.problem(o.where(), "selector matches no workload's Pods")
		}
		return
	}
	for _, w := range matched {
		n := ix.minReplicas(w)
		if m := pdb.Spec.MinAvailable; m != nil && m.Type == intstr.Int && m.IntVal >= n {
			r.problem(o.where(), "minAvailable %d with %d replicas of %s: no Pod could ever be evicted (node drains would hang)", m.IntVal, n, w.o.name)
		}
		if m := pdb.Spec.MaxUnavailable; m != nil && isZero(*m) {
			r.problem(o.where(), "maxUnavailable 0: no Pod of %s could ever be evicted", w.o.name)
		}
	}
}

func (ix *manifestIndex) checkStatefulSetService(w *workload, r *report) {
	name := w.sts.Spec.ServiceName
	if name == "" {
		return // optional since v1.34; the API validation has the last word
	}
	for _, o := range ix.services {
		svc := o.obj.(*corev1.Service)
		if svc.Name != name {
			continue
		}
		if svc.Spec.ClusterIP != corev1.ClusterIPNone {
			r.problem(w.o.where(), "serviceName %s is not a headless Service (clusterIP: None): the Pods get no stable DNS names", name)
		}
		return
	}
	if !ix.partial {
		r.problem(w.o.where(), "serviceName %s is not defined here", name)
	}
}

var podSecurity, podSecurityErr = psapolicy.NewEvaluator(psapolicy.DefaultChecks(), nil)

// checkPodSecurity evaluates the Pod template as the PodSecurity admission plugin evaluates a
// Pod in the workload's Namespace (when that Namespace is among the manifests).
func (ix *manifestIndex) checkPodSecurity(w *workload, r *report) {
	namespace := w.o.obj.(metav1.Object).GetNamespace()
	if namespace == "" {
		namespace = ix.defaultNamespace
	}
	ns, ok := ix.namespaces[namespace]
	if !ok {
		return
	}
	if podSecurityErr != nil {
		r.problem(w.o.where(), "PodSecurity evaluator: %v", podSecurityErr)
		return
	}
	policy, errs := psaapi.PolicyToEvaluate(ns.Labels, psaapi.Policy{
		Enforce: psaapi.LevelVersion{Level: psaapi.LevelPrivileged, Version: psaapi.LatestVersion()},
	})
	if len(errs) > 0 {
		r.problem(w.o.where(), "Namespace %s: %v", namespace, errs.ToAggregate())
		return
	}
	if policy.Enforce.Level == psaapi.LevelPrivileged {
		return
	}
	result := psapolicy.AggregateCheckResults(podSecurity.EvaluatePod(policy.Enforce, &w.template.ObjectMeta, &w.template.Spec))
	if !result.Allowed {
		r.problem(w.o.where(), "Pods would be refused by PodSecurity %q (Namespace %s): %s", policy.Enforce.String(), namespace, result.ForbiddenDetail())
	}
}

// checkProbes: HTTP probes on the REST port. The gRPC port of a service accepts only clients with
// a certificate from the services' CA, which the kubelet does not have.
func (ix *manifestIndex) checkProbes(c *corev1.Container, cw string, httpPort int32, r *report) {
	for _, probe := range []struct {
		name, path string
		probe      *corev1.Probe
	}{
		{"startupProbe", "/readyz", c.StartupProbe},
		{"readinessProbe", "/readyz", c.ReadinessProbe},
		{"livenessProbe", "/healthz", c.LivenessProbe},
	} {
		switch get := probe.probe; {
		case get == nil:
			r.problem(cw, "no %s", probe.name)
		case get.HTTPGet == nil:
			r.problem(cw, "%s must be an httpGet of %s on the http port (the gRPC port requires a client certificate, which the kubelet cannot present)", probe.name, probe.path)
		case !portMatches(get.HTTPGet.Port, "http", httpPort):
			r.problem(cw, "%s checks port %s, but the REST port (named http) is %d", probe.name, get.HTTPGet.Port.String(), httpPort)
		case get.HTTPGet.Scheme != "" && get.HTTPGet.Scheme != corev1.URISchemeHTTP:
			r.problem(cw, "%s uses %s: the REST port serves plain HTTP", probe.name, get.HTTPGet.Scheme)
		case get.HTTPGet.Path != probe.path && probe.path == "/healthz":
			r.problem(cw, "%s asks for %s: use /healthz, or an outage of NATS or the database would restart every Pod", probe.name, get.HTTPGet.Path)
		case get.HTTPGet.Path != probe.path:
			r.problem(cw, "%s asks for %s: use /readyz, which answers 503 until the service is SERVING and from the start of a shutdown", probe.name, get.HTTPGet.Path)
		}
	}
}

func portMatches(port intstr.IntOrString, name string, number int32) bool {
	if port.Type == intstr.String {
		return port.StrVal == name
	}
	return port.IntVal == number
}

// checkProduction: the manifests deploy production, so what DEPLOY_ENV=production makes a service
// refuse at start is refused here first, and its NATS key and mutual TLS are configured.
func (ix *manifestIndex) checkProduction(c *corev1.Container, env map[string]envValue, cw string, r *report) {
	if v, ok := env["DEPLOY_ENV"]; !ok {
		r.problem(cw, "DEPLOY_ENV is not set: the manifests deploy production (DEPLOY_ENV=production refuses the development keys)")
	} else if v.known && v.value != "production" {
		r.problem(cw, "DEPLOY_ENV=%q: the manifests deploy production", v.value)
	}
	if v, ok := env["AUTH_MODE"]; ok && v.known && v.value != "jwt" {
		r.problem(cw, "AUTH_MODE=%q: production checks every call's token (jwt)", v.value)
	}
	if v, ok := env["AUTH_ISSUER"]; !ok || (v.known && v.value == developmentIssuer) {
		r.problem(cw, "AUTH_ISSUER must be the identity provider's issuer, not the development issuer %q", developmentIssuer)
	}
	for _, name := range []string{"AUTH_JWKS_FILE", "NATS_NKEY_SEED_FILE", "GRPC_TLS_CERT_FILE", "GRPC_TLS_KEY_FILE", "GRPC_TLS_CA_FILE"} {
		if v, ok := env[name]; !ok || (v.known && v.value == "") {
			r.problem(cw, "%s is not set: production needs it (NATS refuses clients without their key; Envoy and order reach the services over mutual TLS)", name)
		}
	}
}

const developmentIssuer = "fooddelivery-dev"

// Files the service reads again when they change: a subPath mount would never show the new content.
var rotatedFileVariables = map[string]bool{"PAYMENT_AUTH_TOKEN_FILE": true}

// checkFileVariables: each *_FILE variable names a file the container can read, a key of the
// Secret or ConfigMap mounted there.
func (ix *manifestIndex) checkFileVariables(w *workload, c *corev1.Container, env map[string]envValue, cw string, r *report) {
	volumes := map[string]*corev1.Volume{}
	for i := range w.template.Spec.Volumes {
		volumes[w.template.Spec.Volumes[i].Name] = &w.template.Spec.Volumes[i]
	}
	var names []string
	for name, v := range env {
		if strings.HasSuffix(name, "_FILE") && v.known && strings.HasPrefix(v.value, "/") {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		file := path.Clean(env[name].value)
		var mount *corev1.VolumeMount
		for i := range c.VolumeMounts {
			m := &c.VolumeMounts[i]
			mountPath := path.Clean(m.MountPath)
			if (file == mountPath || strings.HasPrefix(file, mountPath+"/")) && (mount == nil || len(mountPath) > len(path.Clean(mount.MountPath))) {
				mount = m
			}
		}
		where := fmt.Sprintf("%s: %s=%s", cw, name, file)
		if mount == nil {
			r.problem(where, "no volume is mounted there")
			continue
		}
		if rotatedFileVariables[name] && mount.SubPath != "" {
			r.problem(where, "mounted with subPath %s: the kubelet never updates such a file; mount the directory so that a replaced token reaches the service", mount.SubPath)
		}
		key := strings.TrimPrefix(strings.TrimPrefix(file, path.Clean(mount.MountPath)), "/")
		if mount.SubPath != "" {
			if key != "" {
				continue // a file inside a subPath directory: nothing to check it against
			}
			key = mount.SubPath
		}
		if key == "" || strings.Contains(key, "/") {
			continue
		}
		v := volumes[mount.Name]
		if v == nil {
			continue // the API validation reports an unknown volume
		}
		switch {
		case v.Secret != nil:
			ix.requireVolumeKey("Secret", v.Secret.SecretName, v.Secret.Items, key, where, r)
		case v.ConfigMap != nil:
			ix.requireVolumeKey("ConfigMap", v.ConfigMap.Name, v.ConfigMap.Items, key, where, r)
		}
	}
}

func (ix *manifestIndex) requireVolumeKey(kind, name string, items []corev1.KeyToPath, file, where string, r *report) {
	key := file
	if len(items) > 0 {
		key = ""
		for _, item := range items {
			if item.Path == file {
				key = item.Key
			}
		}
		if key == "" {
			r.problem(where, "the volume's items do not put a file %s there", file)
			return
		}
	}
	if kind == "Secret" {
		ix.requireSecret(name, []string{key}, where, r)
	} else {
		ix.requireConfigMap(name, []string{key}, where, r)
	}
}

func contains(list []string, s string) bool {
	for _, item := range list {
		if item == s {
			return true
		}
	}
	return false
}
