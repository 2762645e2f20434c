package main

import (
	"context"
	"fmt"
	"sort"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/apiserver/pkg/storage/names"
	"k8s.io/apiserver/pkg/warning"
	"k8s.io/kubernetes/pkg/api/legacyscheme"
	serviceapi "k8s.io/kubernetes/pkg/api/service"
	api "k8s.io/kubernetes/pkg/apis/core"
	corevalidation "k8s.io/kubernetes/pkg/apis/core/validation"
	"k8s.io/kubernetes/pkg/registry/apps/deployment"
	"k8s.io/kubernetes/pkg/registry/apps/statefulset"
	"k8s.io/kubernetes/pkg/registry/autoscaling/horizontalpodautoscaler"
	"k8s.io/kubernetes/pkg/registry/networking/networkpolicy"
	"k8s.io/kubernetes/pkg/registry/policy/poddisruptionbudget"

	// Internal types, conversions, defaults and declarative validation of each API group.
	_ "k8s.io/kubernetes/pkg/apis/apps/install"
	_ "k8s.io/kubernetes/pkg/apis/autoscaling/install"
	_ "k8s.io/kubernetes/pkg/apis/core/install"
	_ "k8s.io/kubernetes/pkg/apis/networking/install"
	_ "k8s.io/kubernetes/pkg/apis/policy/install"
)

// createStrategies are the API server's own create strategies for the kinds the manifests use.
// The core kinds' strategies live in packages that also pull in the etcd storage layer, so
// coreStrategy below repeats their (short) create logic around the same validation functions.
var createStrategies = map[schema.GroupKind]rest.RESTCreateStrategy{
	{Group: "apps", Kind: "Deployment"}:                     deployment.Strategy,
	{Group: "apps", Kind: "StatefulSet"}:                    statefulset.Strategy,
	{Group: "autoscaling", Kind: "HorizontalPodAutoscaler"}: horizontalpodautoscaler.Strategy,
	{Group: "policy", Kind: "PodDisruptionBudget"}:          poddisruptionbudget.Strategy,
	{Group: "networking.k8s.io", Kind: "NetworkPolicy"}:     networkpolicy.Strategy,
	{Group: "", Kind: "Namespace"}: coreStrategy{ // pkg/registry/core/namespace/strategy.go
		namespaced: false,
		prepare: func(obj runtime.Object) {
			ns := obj.(*api.Namespace)
			ns.Status = api.NamespaceStatus{Phase: api.NamespaceActive}
			for _, f := range ns.Spec.Finalizers {
				if f == api.FinalizerKubernetes {
					return
				}
			}
			ns.Spec.Finalizers = append(ns.Spec.Finalizers, api.FinalizerKubernetes)
		},
		validate: func(obj runtime.Object) field.ErrorList {
			return corevalidation.ValidateNamespace(obj.(*api.Namespace))
		},
	},
	{Group: "", Kind: "ConfigMap"}: coreStrategy{ // pkg/registry/core/configmap/strategy.go
		namespaced: true,
		validate: func(obj runtime.Object) field.ErrorList {
			return corevalidation.ValidateConfigMap(obj.(*api.ConfigMap))
		},
	},
	{Group: "", Kind: "Secret"}: coreStrategy{ // pkg/registry/core/secret/strategy.go
		namespaced: true,
		validate:   func(obj runtime.Object) field.ErrorList { return corevalidation.ValidateSecret(obj.(*api.Secret)) },
	},
	{Group: "", Kind: "Service"}: coreStrategy{ // pkg/registry/core/service/strategy.go
		namespaced: true,
		prepare: func(obj runtime.Object) {
			svc := obj.(*api.Service)
			allocateLikeAPIServer(svc)
			svc.Status = api.ServiceStatus{}
		},
		validate: func(obj runtime.Object) field.ErrorList {
			return corevalidation.ValidateServiceCreate(obj.(*api.Service))
		},
		warnings: func(obj runtime.Object) []string {
			return serviceapi.GetWarningsForService(obj.(*api.Service), nil)
		},
	},
}

type coreStrategy struct {
	namespaced bool
	prepare    func(runtime.Object)
	validate   func(runtime.Object) field.ErrorList
	warnings   func(runtime.Object) []string
}

func (coreStrategy) ObjectKinds(obj runtime.Object) ([]schema.GroupVersionKind, bool, error) {
	return legacyscheme.Scheme.ObjectKinds(obj)
}
func (coreStrategy) Recognizes(gvk schema.GroupVersionKind) bool {
	return legacyscheme.Scheme.Recognizes(gvk)
}
func (coreStrategy) GenerateName(base string) string {
	return names.SimpleNameGenerator.GenerateName(base)
}
func (s coreStrategy) NamespaceScoped() bool { return s.namespaced }
func (s coreStrategy) PrepareForCreate(_ context.Context, obj runtime.Object) {
	if s.prepare != nil {
		s.prepare(obj)
	}
}
func (s coreStrategy) Validate(_ context.Context, obj runtime.Object) field.ErrorList {
	return s.validate(obj)
}
func (s coreStrategy) WarningsOnCreate(_ context.Context, obj runtime.Object) []string {
	if s.warnings == nil {
		return nil
	}
	return s.warnings(obj)
}
func (coreStrategy) Canonicalize(runtime.Object) {}

type finding struct {
	message string
	warning bool
}

type warningRecorder struct{ messages []string }

func (w *warningRecorder) AddWarning(_, text string) { w.messages = append(w.messages, text) }

// apiValidate does what the API server does with a create request for the object: defaulting,
// conversion to the internal version, then rest.BeforeCreate with the kind's strategy
// (PrepareForCreate, the strategy's validation, object-meta validation, declarative validation,
// warnings). A namespaced object without a namespace gets defaultNamespace, as kubectl does.
func apiValidate(o *object, defaultNamespace string) []finding {
	if o.gvk.Group == monitoringGroup {
		return validateMonitoring(o)
	}
	strategy, ok := createStrategies[o.gvk.GroupKind()]
	if !ok {
		return []finding{{message: fmt.Sprintf("no API validation for %s here: add its create strategy to tools/cmd/k8scheck/apivalidation.go", o.gvk.GroupKind())}}
	}
	external := o.obj.DeepCopyObject()
	legacyscheme.Scheme.Default(external)
	internal, err := legacyscheme.Scheme.ConvertToVersion(external, schema.GroupVersion{Group: o.gvk.Group, Version: runtime.APIVersionInternal})
	if err != nil {
		return []finding{{message: fmt.Sprintf("conversion to the internal version failed: %v", err)}}
	}
	accessor, err := meta.Accessor(internal)
	if err != nil {
		return []finding{{message: err.Error()}}
	}
	namespace := ""
	if strategy.NamespaceScoped() {
		namespace = accessor.GetNamespace()
		if namespace == "" {
			namespace = defaultNamespace
			accessor.SetNamespace(namespace)
		}
	}
	rest.FillObjectMetaSystemFields(accessor)
	recorder := &warningRecorder{}
	ctx := genericapirequest.WithNamespace(context.Background(), namespace)
	ctx = genericapirequest.WithRequestInfo(ctx, &genericapirequest.RequestInfo{
		IsResourceRequest: true,
		Verb:              "create",
		APIPrefix:         map[bool]string{true: "api", false: "apis"}[o.gvk.Group == ""],
		APIGroup:          o.gvk.Group,
		APIVersion:        o.gvk.Version,
		Namespace:         namespace,
		Resource:          resourceOf(o.gvk),
		Name:              accessor.GetName(),
	})
	ctx = warning.WithWarningRecorder(ctx, recorder)

	var findings []finding
	if err := rest.BeforeCreate(strategy, ctx, internal); err != nil {
		var status apierrors.APIStatus
		if s, ok := err.(apierrors.APIStatus); ok {
			status = s
		}
		if status != nil && status.Status().Details != nil && len(status.Status().Details.Causes) > 0 {
			for _, cause := range status.Status().Details.Causes {
				message := cause.Message
				if cause.Field != "" {
					message = cause.Field + ": " + message
				}
				findings = append(findings, finding{message: message})
			}
		} else {
			findings = append(findings, finding{message: err.Error()})
		}
	}
	sort.Strings(recorder.messages)
	for _, w := range recorder.messages {
		findings = append(findings, finding{message: strings.TrimSpace(w), warning: true})
	}
	return findings
}

func resourceOf(gvk schema.GroupVersionKind) string {
	plural, _ := meta.UnsafeGuessKindToResource(gvk)
	return plural.Resource
}

// allocateLikeAPIServer does to a new Service what the Service REST storage's beginCreate does
// before validation (pkg/registry/core/service/storage), on a single-stack IPv4 cluster: keep
// clusterIP and clusterIPs in step, choose the IP family fields, allocate a cluster IP and node
// ports. The values allocated here are placeholders; only their presence matters to validation.
func allocateLikeAPIServer(svc *api.Service) {
	if svc.Spec.Type == api.ServiceTypeExternalName {
		return
	}
	if svc.Spec.ClusterIP != "" && len(svc.Spec.ClusterIPs) == 0 {
		svc.Spec.ClusterIPs = []string{svc.Spec.ClusterIP}
	}
	if svc.Spec.ClusterIP == "" && len(svc.Spec.ClusterIPs) > 0 {
		svc.Spec.ClusterIP = svc.Spec.ClusterIPs[0]
	}
	headless := svc.Spec.ClusterIP == api.ClusterIPNone
	if svc.Spec.IPFamilyPolicy == nil {
		policy := api.IPFamilyPolicySingleStack
		if headless && len(svc.Spec.Selector) == 0 {
			policy = api.IPFamilyPolicyPreferDualStack // RequireDualStack on a dual-stack cluster
		}
		svc.Spec.IPFamilyPolicy = &policy
	}
	if len(svc.Spec.IPFamilies) == 0 {
		svc.Spec.IPFamilies = []api.IPFamily{api.IPv4Protocol}
	}
	if svc.Spec.ClusterIP == "" {
		svc.Spec.ClusterIP = "10.96.0.10"
		svc.Spec.ClusterIPs = []string{svc.Spec.ClusterIP}
	}
	allocateNodePorts := svc.Spec.Type == api.ServiceTypeNodePort ||
		(svc.Spec.Type == api.ServiceTypeLoadBalancer && (svc.Spec.AllocateLoadBalancerNodePorts == nil || *svc.Spec.AllocateLoadBalancerNodePorts))
	for i := range svc.Spec.Ports {
		if allocateNodePorts && svc.Spec.Ports[i].NodePort == 0 {
			svc.Spec.Ports[i].NodePort = int32(30000 + i)
		}
	}
}
