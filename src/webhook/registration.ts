// The webhook registers itself: one Validating and one Mutating configuration, kept
// current by server-side apply (idempotent, and it restores hand edits to our fields).
import type {
  AdmissionregistrationV1WebhookClientConfig,
  V1LabelSelectorRequirement,
  V1MatchCondition,
  V1MutatingWebhook,
  V1MutatingWebhookConfiguration,
  V1RuleWithOperations,
  V1ValidatingWebhook,
  V1ValidatingWebhookConfiguration,
} from '@kubernetes/client-node';
import { API_VERSION, GATED_NAMESPACE_LABEL, GROUP, KINDS } from '../api/index.js';
import type { KubeConfigLike } from '../kube/rest.js';
import { ResourceClient } from '../kube/resource-client.js';
import { MUTATING_WEBHOOKS, VALIDATING_WEBHOOKS } from '../kube/resource.js';
import { WEBHOOK_PATHS } from './app.js';

export const DEFAULT_CONFIGURATION_NAME = 'clairvoyance';
/** Every configuration Clairvoyance registers carries these labels (doctor finds stale ones by them). */
export const WEBHOOK_LABELS = { 'app.kubernetes.io/name': 'clairvoyance', 'app.kubernetes.io/component': 'webhook' } as const;
const FIELD_MANAGER = 'clairvoyance-webhook';

export type WebhookTarget = { url: string } | { service: { name: string; namespace: string; port: number } };

export interface RegistrationOptions {
  /** Name of both configurations; unique per installation (and per test file). */
  name?: string;
  caBundle: string;
  /** Out of cluster: `https://127.0.0.1:PORT`; in cluster: the webhook Service. */
  target: WebhookTarget;
  /** The controller's namespace, never gated (it must be able to repair itself). */
  controllerNamespace: string;
  /** Extra namespace requirements, ANDed in (e.g. restrict to test namespaces). */
  namespaceRequirements?: V1LabelSelectorRequirement[];
  timeoutSeconds?: number;
  /** Who registered it (`host/pid/nonce`): a run removes only what it registered itself. */
  registeredBy?: string;
  /**
   * A cluster-scoped object the configurations are owned by, so deleting it (helm
   * uninstall, `kubectl delete -f install.yaml`) garbage-collects them.
   */
  owner?: WebhookOwner;
}

export interface WebhookOwner {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
}

/** Annotation naming the run that registered a configuration. */
export const REGISTERED_BY_ANNOTATION = 'clairvoyance.dev/registered-by';

function clientConfig(target: WebhookTarget, path: string, caBundle: string): AdmissionregistrationV1WebhookClientConfig {
  const ca = Buffer.from(caBundle).toString('base64');
  if ('url' in target) return { url: `${target.url.replace(/\/$/, '')}${path}`, caBundle: ca };
  return { service: { ...target.service, path }, caBundle: ca };
}

const deploymentRule: V1RuleWithOperations = {
  apiGroups: ['apps'],
  apiVersions: ['v1'],
  resources: ['deployments'],
  operations: ['CREATE', 'UPDATE'],
  scope: 'Namespaced',
};
const API_VERSION_ONLY = API_VERSION.split('/')[1] ?? 'v1alpha1';
const kindsRule = (namespaced: boolean): V1RuleWithOperations => ({
  apiGroups: [GROUP],
  apiVersions: [API_VERSION_ONLY],
  // Changes are kept by the controller alone: its ledger writes never wait on admission.
  resources: Object.values(KINDS)
    .filter((k) => k.namespaced === namespaced && k.plural !== 'changes')
    .map((k) => k.plural),
  operations: ['CREATE', 'UPDATE'],
  scope: namespaced ? 'Namespaced' : 'Cluster',
});

/** An ungated namespace fails open; waiting long there for a verdict that cannot deny buys nothing. */
const UNGATED_TIMEOUT_SECONDS = 1;

/**
 * Deployment updates that leave the labels, annotations and pod template as they were (a
 * scale by the controller, an HPA, `kubectl scale`) change no code and no context: the
 * API server does not call the webhook for them at all, so a slow or frozen webhook costs
 * them nothing and the controller never waits on its own webhook.
 */
export const GATED_SURFACE_CHANGED: V1MatchCondition = {
  name: 'gated-surface-changed',
  expression: [
    "request.operation != 'UPDATE'",
    'oldObject == null',
    'object.spec.template != oldObject.spec.template',
    '(has(object.metadata.labels) ? object.metadata.labels : {}) != (has(oldObject.metadata.labels) ? oldObject.metadata.labels : {})',
    '(has(object.metadata.annotations) ? object.metadata.annotations : {}) != (has(oldObject.metadata.annotations) ? oldObject.metadata.annotations : {})',
  ].join(' || '),
};

interface Entry {
  name: string;
  path: string;
  rule: V1RuleWithOperations;
  /** Which namespaces call it: both (split by failure policy), gated only, or cluster-scoped objects. */
  scope: 'split' | 'gated' | 'cluster';
  matchConditions?: V1MatchCondition[];
}

/**
 * Namespaced endpoints are split: Fail in gated namespaces (no admission without a
 * verdict), Ignore elsewhere with a short timeout (an outage never blocks ungated teams).
 * Cluster-scoped objects have no namespace to gate by; they fail open.
 */
function entries<T extends V1ValidatingWebhook | V1MutatingWebhook>(opts: RegistrationOptions, list: Entry[], extra: Partial<T>): T[] {
  const base: V1LabelSelectorRequirement[] = [
    { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', opts.controllerNamespace] },
    ...(opts.namespaceRequirements ?? []),
  ];
  const gatedTimeout = opts.timeoutSeconds ?? 5;
  const out: T[] = [];
  const push = (name: string, e: Entry, more: Partial<V1ValidatingWebhook>): void => {
    out.push({
      name: `${name}.${GROUP}`,
      clientConfig: clientConfig(opts.target, e.path, opts.caBundle),
      rules: [e.rule],
      sideEffects: 'None',
      admissionReviewVersions: ['v1'],
      matchPolicy: 'Equivalent',
      ...(e.matchConditions ? { matchConditions: e.matchConditions } : {}),
      ...more,
      ...extra,
    } as T);
  };
  for (const e of list) {
    if (e.scope === 'cluster') {
      push(e.name, e, { failurePolicy: 'Ignore', timeoutSeconds: Math.min(gatedTimeout, 2) });
      continue;
    }
    push(`gated.${e.name}`, e, {
      namespaceSelector: { matchExpressions: [...base, { key: GATED_NAMESPACE_LABEL, operator: 'In', values: ['true'] }] },
      failurePolicy: 'Fail',
      timeoutSeconds: gatedTimeout,
    });
    if (e.scope === 'split') {
      push(`ungated.${e.name}`, e, {
        namespaceSelector: { matchExpressions: [...base, { key: GATED_NAMESPACE_LABEL, operator: 'NotIn', values: ['true'] }] },
        failurePolicy: 'Ignore',
        timeoutSeconds: Math.min(gatedTimeout, UNGATED_TIMEOUT_SECONDS),
      });
    }
  }
  return out;
}

export function webhookConfigurations(opts: RegistrationOptions): {
  validating: V1ValidatingWebhookConfiguration;
  mutating: V1MutatingWebhookConfiguration;
} {
  const name = opts.name ?? DEFAULT_CONFIGURATION_NAME;
  const metadata = {
    name,
    labels: { ...WEBHOOK_LABELS },
    ...(opts.registeredBy ? { annotations: { [REGISTERED_BY_ANNOTATION]: opts.registeredBy } } : {}),
    ...(opts.owner ? { ownerReferences: [{ ...opts.owner }] } : {}),
  };
  return {
    validating: {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata,
      webhooks: entries<V1ValidatingWebhook>(
        opts,
        [
          // Ungated namespaces get their Deployment warnings from the mutating call: one call, not two.
          {
            name: 'validate-deployments',
            path: WEBHOOK_PATHS.validateDeployments,
            rule: deploymentRule,
            scope: 'gated',
            matchConditions: [GATED_SURFACE_CHANGED],
          },
          { name: 'validate-resources', path: WEBHOOK_PATHS.validateResources, rule: kindsRule(true), scope: 'split' },
          { name: 'validate-cluster-resources', path: WEBHOOK_PATHS.validateResources, rule: kindsRule(false), scope: 'cluster' },
        ],
        {},
      ),
    },
    mutating: {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingWebhookConfiguration',
      metadata,
      webhooks: entries<V1MutatingWebhook>(
        opts,
        [{ name: 'mutate-deployments', path: WEBHOOK_PATHS.mutateDeployments, rule: deploymentRule, scope: 'split', matchConditions: [GATED_SURFACE_CHANGED] }],
        {
          reinvocationPolicy: 'Never',
        },
      ),
    },
  };
}

/** Server-side applies both configurations (force: these fields are ours alone). */
export async function applyWebhookConfigurations(kubeConfig: KubeConfigLike, opts: RegistrationOptions): Promise<void> {
  const { validating, mutating } = webhookConfigurations(opts);
  const name = validating.metadata?.name ?? DEFAULT_CONFIGURATION_NAME;
  const apply = { query: { fieldManager: FIELD_MANAGER, force: true } };
  await ResourceClient.of(kubeConfig, VALIDATING_WEBHOOKS).patch(undefined, name, validating, 'apply', apply);
  await ResourceClient.of(kubeConfig, MUTATING_WEBHOOKS).patch(undefined, name, mutating, 'apply', apply);
}

/** Removes both configurations; absent ones are fine. */
export async function deleteWebhookConfigurations(kubeConfig: KubeConfigLike, name = DEFAULT_CONFIGURATION_NAME): Promise<void> {
  await ResourceClient.of(kubeConfig, VALIDATING_WEBHOOKS).deleteIfExists(undefined, name);
  await ResourceClient.of(kubeConfig, MUTATING_WEBHOOKS).deleteIfExists(undefined, name);
}
