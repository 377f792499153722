import { isDeepStrictEqual } from 'node:util';
import type { Finding, Workload } from '../api/index.js';
import { evaluatePolicies, governingRollouts, changeOrigin } from '../gates/index.js';
import { allow, deny } from './admission-review.js';
import { auditSummary, denialMessage, warningOf } from './denial.js';
import { deploymentOf, isGated, requestNamespace, type ReviewHandler } from './handler.js';
import { denialEntries } from '../ledger/identity.js';
import { malformedTimeAnnotations, provenanceFrom } from '../rollout/provenance.js';
import { templateHash } from '../rollout/revision.js';

/** What context rules read: the Deployment's labels and annotations, and its pod template. */
function gatedSurface(d: Workload): unknown {
  return { labels: d.metadata?.labels ?? {}, annotations: d.metadata?.annotations ?? {}, template: d.spec?.template };
}

/**
 * Policies and contracts for a Deployment change: deny Enforce findings in gated
 * namespaces. An update that leaves the gated surface as it was (a scale by the
 * controller, an HPA or `kubectl scale`) changes no code and no context, so it is let
 * through unevaluated: denying it would wedge the controller on a Deployment admitted
 * while the webhook was away, which the pre-canary gate holds instead.
 */
export const validateDeployment: ReviewHandler = (request, { source, metrics, recordChanges, now }) => {
  if (request.operation !== 'CREATE' && request.operation !== 'UPDATE') return allow(request.uid);
  const namespace = requestNamespace(request);
  const object = deploymentOf(request.object, namespace);
  const oldObject = request.operation === 'UPDATE' && request.oldObject != null ? deploymentOf(request.oldObject, namespace) : undefined;
  if (oldObject && isDeepStrictEqual(gatedSurface(object), gatedSurface(oldObject))) return allow(request.uid);
  const candidates = source.rolloutsOf(namespace, object.metadata?.name ?? request.name ?? '');
  const rollouts = governingRollouts(object, candidates);
  const findings = evaluatePolicies({
    object,
    oldObject,
    namespace: source.namespace(namespace),
    rollouts,
    workloads: source.workloads(),
    contextPolicies: source.contextPolicies(namespace),
    clusterContextPolicies: source.clusterContextPolicies(),
  });
  const by = (e: Finding['enforcement']): Finding[] => findings.filter((f) => f.enforcement === e);
  const enforce = by('Enforce');
  const gated = isGated(source, namespace);
  const timeWarnings = malformedTimeAnnotations(object.spec?.template?.metadata?.annotations ?? {}).map(
    (key) => `${key} is not an RFC 3339 time (e.g. 2026-03-01T10:00:00Z); cycle times and the change ledger ignore it`,
  );
  const warnings = [
    ...(gated ? [] : enforce.map((f) => warningOf(f, 'would be denied in a gated namespace: '))),
    ...by('Warn').map((f) => warningOf(f)),
    ...timeWarnings,
  ];
  const auditAnnotations: Record<string, string> = {};
  if (findings.length > 0) auditAnnotations.findings = auditSummary(findings);
  auditAnnotations.origin = changeOrigin(object, 'human');
  const extra = { ...(warnings.length > 0 ? { warnings } : {}), auditAnnotations };
  if (gated && enforce.length > 0) {
    if (request.dryRun !== true) {
      for (const f of enforce) metrics?.denials.inc({ rule: f.ruleId });
      recordChanges?.(
        namespace,
        denialEntries({
          rollouts: rollouts.map((r) => {
            const window = candidates.find((n) => n.metadata.name === r.name)?.spec.stabilityWindow;
            return { name: r.name, ...(window ? { stabilityWindow: window } : {}) };
          }),
          workload: object.metadata?.name ?? request.name ?? '',
          revision: templateHash(object.spec?.template ?? {}),
          provenance: provenanceFrom(object.spec?.template?.metadata?.annotations ?? {}),
          findings: enforce,
          at: (now?.() ?? new Date()).toISOString(),
        }),
      );
    }
    const subject = `Deployment ${namespace}/${object.metadata?.name ?? request.name ?? ''} (origin ${changeOrigin(object, 'human')})`;
    return deny(request.uid, 403, denialMessage(subject, enforce), extra);
  }
  return allow(request.uid, extra);
};
