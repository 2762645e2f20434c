package main

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// checkNetworkPolicy: the Pods a policy and its peers in the namespace select exist, and every
// port it allows is a port of those Pods' containers. A policy is written in container ports
// (after a Service has translated its own), so a Service's port number there would match nothing
// and silently block the path.
func (ix *manifestIndex) checkNetworkPolicy(o *object, r *report) {
	np := o.obj.(*networkingv1.NetworkPolicy)
	namespace := np.Namespace
	if namespace == "" {
		namespace = ix.defaultNamespace
	}
	targets, ok := ix.policySelects(&np.Spec.PodSelector, namespace)
	if !ok {
		return // the API validation reports a bad selector
	}
	if len(targets) == 0 {
		if !ix.partial {
			r.problem(o.where(), "podSelector matches no workload's Pods")
		}
		return
	}
	for i, rule := range np.Spec.Ingress {
		where := fmt.Sprintf("%s: ingress[%d]", o.where(), i)
		for j, peer := range rule.From {
			ix.checkPeer(peer, namespace, fmt.Sprintf("%s: from[%d]", where, j), r)
		}
		for _, port := range rule.Ports {
			requirePolicyPort(port, targets, where, r)
		}
	}
	for i, rule := range np.Spec.Egress {
		where := fmt.Sprintf("%s: egress[%d]", o.where(), i)
		for j, peer := range rule.To {
			selected := ix.checkPeer(peer, namespace, fmt.Sprintf("%s: to[%d]", where, j), r)
			for _, port := range rule.Ports {
				requirePolicyPort(port, selected, fmt.Sprintf("%s: to[%d]", where, j), r)
			}
		}
	}
}

// checkPeer returns the workloads a peer selects in the policy's namespace (none for a peer in
// other namespaces or an IP block, which are not in the manifests).
func (ix *manifestIndex) checkPeer(peer networkingv1.NetworkPolicyPeer, namespace, where string, r *report) []*workload {
	if peer.PodSelector == nil || peer.NamespaceSelector != nil || peer.IPBlock != nil {
		return nil
	}
	selected, ok := ix.policySelects(peer.PodSelector, namespace)
	if ok && len(selected) == 0 && !ix.partial {
		r.problem(where, "podSelector matches no workload's Pods")
	}
	return selected
}

func (ix *manifestIndex) policySelects(selector *metav1.LabelSelector, namespace string) ([]*workload, bool) {
	s, err := metav1.LabelSelectorAsSelector(selector)
	if err != nil {
		return nil, false
	}
	var selected []*workload
	for _, w := range ix.workloads {
		ns := w.o.obj.(metav1.Object).GetNamespace()
		if ns == "" {
			ns = ix.defaultNamespace
		}
		if ns == namespace && s.Matches(labels.Set(w.template.Labels)) {
			selected = append(selected, w)
		}
	}
	return selected, true
}

func requirePolicyPort(port networkingv1.NetworkPolicyPort, workloads []*workload, where string, r *report) {
	if port.Port == nil || port.EndPort != nil {
		return
	}
	protocol := corev1.ProtocolTCP
	if port.Protocol != nil {
		protocol = *port.Protocol
	}
	for _, w := range workloads {
		if !containerHasPort(w.template.Spec.Containers, *port.Port, protocol) {
			r.problem(where, "port %s/%s is not a container port of %s", protocol, port.Port.String(), w.o.name)
		}
	}
}

func containerHasPort(containers []corev1.Container, port intstr.IntOrString, protocol corev1.Protocol) bool {
	for _, c := range containers {
		for _, p := range c.Ports {
			pp := p.Protocol
			if pp == "" {
				pp = corev1.ProtocolTCP
			}
			if pp != protocol {
				continue
			}
			if (port.Type == intstr.String && p.Name == port.StrVal) || (port.Type == intstr.Int && p.ContainerPort == port.IntVal) {
				return true
			}
		}
	}
	return false
}

// checkDefaultDeny: once the manifests use NetworkPolicies, one of them denies everything not
// allowed (an empty podSelector, Ingress and Egress, no rules); otherwise a Pod no policy selects
// accepts and opens any connection.
func (ix *manifestIndex) checkDefaultDeny(r *report) {
	if len(ix.networkPolicies) == 0 {
		return
	}
	for _, o := range ix.networkPolicies {
		np := o.obj.(*networkingv1.NetworkPolicy)
		types := map[networkingv1.PolicyType]bool{}
		for _, t := range np.Spec.PolicyTypes {
			types[t] = true
		}
		if len(np.Spec.PodSelector.MatchLabels) == 0 && len(np.Spec.PodSelector.MatchExpressions) == 0 &&
			types[networkingv1.PolicyTypeIngress] && types[networkingv1.PolicyTypeEgress] &&
			len(np.Spec.Ingress) == 0 && len(np.Spec.Egress) == 0 {
			return
		}
	}
	r.problem(ix.networkPolicies[0].file, "no default-deny NetworkPolicy (podSelector {}, policyTypes Ingress and Egress, no rules): a Pod no other policy selects would accept and open any connection")
}
