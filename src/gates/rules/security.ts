import { DATA_CLASS_LABEL, type Container, type SecurityRule } from '../../api/index.js';
import type { RuleContext, Violation } from '../context.js';
import { allContainers, podSpec, templateAnnotations, templateLabels } from '../workload.js';

/** Non-root, limits, image provenance and the namespace's data-class requirements. */
export function checkSecurity(rule: SecurityRule, ctx: RuleContext): Violation[] {
  return [
    ...(rule.runAsNonRoot === true ? nonRoot(ctx) : []),
    ...(rule.requireResourceLimits === true ? limits(ctx) : []),
    ...registries(rule.allowedRegistries ?? [], ctx),
    ...dataClass(rule.dataClass, ctx),
  ];
}

function nonRoot(ctx: RuleContext): Violation[] {
  const pod = podSpec(ctx.object)?.securityContext;
  const out: Violation[] = [];
  for (const c of allContainers(ctx.object)) {
    // Container settings override the pod's, as in the kubelet.
    const nonRootSet = c.securityContext?.runAsNonRoot ?? pod?.runAsNonRoot;
    const uid = c.securityContext?.runAsUser ?? pod?.runAsUser;
    if (uid === 0) {
      out.push({ message: `container ${c.name} runs as uid 0`, fix: `set a non-zero runAsUser for container ${c.name}` });
    } else if (nonRootSet !== true) {
      out.push({
        message: `container ${c.name} may run as root (runAsNonRoot is not set)`,
        fix: 'set spec.template.spec.securityContext.runAsNonRoot: true',
      });
    }
  }
  return out;
}

function limits(ctx: RuleContext): Violation[] {
  const out: Violation[] = [];
  for (const c of allContainers(ctx.object)) {
    const missing = ['cpu', 'memory'].filter((r) => c.resources?.limits?.[r] === undefined);
    if (missing.length > 0) {
      out.push({
        message: `container ${c.name} has no ${missing.join(' or ')} limit`,
        fix: `set resources.limits.${missing.join(' and resources.limits.')} on container ${c.name}`,
      });
    }
  }
  return out;
}

/** `nginx` -> `docker.io/library/nginx`: what the runtime pulls, so a prefix cannot be dodged. */
export function normalizeImage(image: string): string {
  const first = image.split('/')[0] ?? '';
  const hasRegistry = image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasRegistry) return image;
  return image.includes('/') ? `docker.io/${image}` : `docker.io/library/${image}`;
}

function registries(allowed: readonly string[], ctx: RuleContext): Violation[] {
  if (allowed.length === 0) return [];
  const ok = (c: Container): boolean => {
    const image = c.image ?? '';
    const full = normalizeImage(image);
    return allowed.some((p) => image.startsWith(p) || full.startsWith(p));
  };
  return allContainers(ctx.object)
    .filter((c) => !ok(c))
    .map((c) => ({
      message: `container ${c.name} pulls ${c.image ?? '(no image)'} from a registry not in ${allowed.join(', ')}`,
      fix: `pull container ${c.name}'s image from one of ${allowed.join(', ')}`,
    }));
}

function dataClass(spec: SecurityRule['dataClass'], ctx: RuleContext): Violation[] {
  if (spec === undefined) return [];
  const label = spec.namespaceLabel ?? DATA_CLASS_LABEL;
  const value = ctx.namespace?.metadata?.labels?.[label];
  const req = spec.requirements.find((r) => r.value === value);
  if (value === undefined || req === undefined) return [];
  const annotations = templateAnnotations(ctx.object);
  const labels = templateLabels(ctx.object);
  const out: Violation[] = [];
  for (const key of req.requireAnnotations ?? []) {
    if ((annotations[key] ?? '') === '') {
      out.push({
        message: `namespaces of data class ${value} require pod-template annotation ${key}`,
        fix: `set spec.template.metadata.annotations["${key}"]`,
      });
    }
  }
  for (const key of req.requireLabels ?? []) {
    if ((labels[key] ?? '') === '') {
      out.push({
        message: `namespaces of data class ${value} require pod-template label ${key}`,
        fix: `set spec.template.metadata.labels["${key}"]`,
      });
    }
  }
  return out;
}
