// Gate: before a canary starts, the flag that guards the new code path must be
// real and off. A kill switch that does not exist, is disabled, or already
// serves the new path is discovered here, not during an incident.
import { ProvenanceAnnotations, isOrigin } from '../api/annotations.js';
import type { Origin } from '../api/annotations.js';
import type { Workload } from '../api/workload.js';
import type { Finding } from '../api/finding.js';
import type { RolloutFlag } from '../api/rollout.js';
import type { GateEvaluator, GateInput } from '../rollout/seams.js';
import type { GateVerdict } from '../rollout/observed.js';
import type { FlagState } from './flagd-format.js';
import { hasTargeting } from './flagd-format.js';
import { FlagSourceError } from './store.js';
import type { FlagSourceErrorReason } from './store.js';
import type { FlagStoreProvider } from './stores.js';

export const FLAG_RULES = {
  required: 'flag-required',
  keyMismatch: 'flag-key-mismatch',
  crdMissing: 'flag-crd-missing',
  sourceMissing: 'flag-source-missing',
  sourceInvalid: 'flag-source-invalid',
  missing: 'flag-missing',
  disabled: 'flag-disabled',
  noOffVariant: 'flag-no-off-variant',
  noOnVariant: 'flag-no-on-variant',
  defaultsOn: 'flag-defaults-on',
  targetingPresent: 'flag-targeting-present',
} as const;

const KILL_SWITCH_RATIONALE =
  'The flag is the kill switch: on a failed canary the controller sets it back to its off variant before moving ' +
  'any pod. A flag that is missing, disabled or already on cannot switch the new code path off.';

/** Origin of the revision; unannotated (or unknown) counts as human. */
export function originOf(deployment: Workload): Origin {
  const value = deployment.spec?.template?.metadata?.annotations?.[ProvenanceAnnotations.origin];
  return isOrigin(value) ? value : 'human';
}

interface Ctx {
  policy: string;
  spec: RolloutFlag;
  source: string;
}

function enforce(ctx: Pick<Ctx, 'policy'>, ruleId: string, message: string, fix: string, rationale = KILL_SWITCH_RATIONALE): Finding {
  return { ruleId, policy: ctx.policy, enforcement: 'Enforce', severity: 'error', message, rationale, fix };
}

const SOURCE_RULE: Partial<Record<FlagSourceErrorReason, string>> = {
  CrdNotInstalled: FLAG_RULES.crdMissing,
  SourceNotFound: FLAG_RULES.sourceMissing,
  InvalidSource: FLAG_RULES.sourceInvalid,
};

function sourceFinding(ctx: Ctx, err: FlagSourceError): Finding {
  const ruleId = SOURCE_RULE[err.reason] ?? FLAG_RULES.sourceInvalid;
  const fix =
    err.reason === 'CrdNotInstalled'
      ? 'install the OpenFeature Operator (which serves featureflags.core.openfeature.dev), or point spec.flag.source at a ConfigMap'
      : err.reason === 'SourceNotFound'
        ? `create ${ctx.source} with the flag's flagd definition, or fix spec.flag.source`
        : `fix the flagd JSON in ${ctx.source} (see the paths in the message)`;
  return enforce(ctx, ruleId, err.message, fix);
}

/** The findings for a flag read from its store (pure; exported for tests). */
export function flagFindings(ctx: Ctx, key: string, flag: FlagState | undefined): Finding[] {
  const { offVariant: off, onVariant: on } = ctx.spec;
  if (!flag) {
    return [
      enforce(
        ctx,
        FLAG_RULES.missing,
        `flag ${key} is not defined in ${ctx.source}`,
        `add flag ${key} to ${ctx.source} with variants "${off}" and "${on}" and defaultVariant "${off}"`,
      ),
    ];
  }
  const findings: Finding[] = [];
  if (flag.state !== 'ENABLED') {
    findings.push(
      enforce(
        ctx,
        FLAG_RULES.disabled,
        `flag ${key} in ${ctx.source} is ${flag.state}: flagd serves the application's code default, which the kill switch cannot change`,
        `set state: ENABLED on flag ${key} (with defaultVariant "${off}")`,
      ),
    );
  }
  const variants = Object.keys(flag.variants);
  if (!variants.includes(off)) {
    findings.push(
      enforce(
        ctx,
        FLAG_RULES.noOffVariant,
        `flag ${key} has no off variant "${off}" (variants: ${variants.join(', ')})`,
        `add variant "${off}" to flag ${key}, or set spec.flag.offVariant to the variant that disables the new code path`,
      ),
    );
  }
  if (!variants.includes(on)) {
    findings.push(
      enforce(
        ctx,
        FLAG_RULES.noOnVariant,
        `flag ${key} has no on variant "${on}" (variants: ${variants.join(', ')})`,
        `add variant "${on}" to flag ${key}, or set spec.flag.onVariant to the variant that enables the new code path`,
        'The canary turns the new code path on through the on variant; without it, setFlag steps and promotion have nothing to switch to.',
      ),
    );
  }
  if (flag.defaultVariant !== off) {
    const now = flag.defaultVariant === null ? "the application's code default" : `"${flag.defaultVariant}"`;
    findings.push(
      enforce(
        ctx,
        FLAG_RULES.defaultsOn,
        `flag ${key} defaults to ${now}, not to its off variant "${off}": the new code path would reach every user before the canary starts`,
        `set defaultVariant: "${off}" on flag ${key} (and remove its targeting), then let the canary's setFlag steps turn it on`,
      ),
    );
  } else if (hasTargeting(flag)) {
    findings.push({
      ruleId: FLAG_RULES.targetingPresent,
      policy: ctx.policy,
      enforcement: 'Warn',
      severity: 'warning',
      message: `flag ${key} defaults to "${off}" but has targeting rules, which may already serve "${on}" to some users; setFlag steps will replace them`,
      rationale: 'The canary owns the flag while it runs: its setFlag steps overwrite targeting, and the kill switch removes it.',
      fix: `remove the targeting from flag ${key} before the rollout, or accept that the canary replaces it`,
    });
  }
  return findings;
}

function verdict(findings: Finding[]): GateVerdict {
  const blocking = findings.filter((f) => f.enforcement === 'Enforce');
  if (blocking.length === 0) return { passed: true, findings };
  return { passed: false, findings, message: blocking.map((f) => `${f.ruleId}: ${f.message}`).join('; ') };
}

export class FlagGateEvaluator implements GateEvaluator {
  constructor(private readonly stores: FlagStoreProvider) {}

  /**
   * Transient API errors (timeouts, 5xx, RBAC) are thrown, not turned into
   * findings: the controller retries, and never passes a gate it could not check.
   */
  async evaluate(input: GateInput): Promise<GateVerdict> {
    const policy = `rollout/${input.rollout.name}`;
    const flag = input.spec.flag;
    // Whether a change must sit behind a flag (spec.gates.requireFlagFor) is decided once,
    // by the policy gate, which the webhook shares; this gate checks the flag itself.
    if (!flag) return { passed: true, findings: [] };
    // A fast rollback returns to code that served before; the flag guards the code being left.
    if (input.fastRollback) return { passed: true, findings: [] };

    const store = this.stores.storeFor(input.rollout.namespace, flag.source);
    const ctx: Ctx = { policy, spec: flag, source: store.description };
    const findings: Finding[] = [];
    const annotated = input.deployment.spec?.template?.metadata?.annotations?.[ProvenanceAnnotations.flag];
    if (annotated && annotated !== flag.key) {
      findings.push(
        enforce(
          ctx,
          FLAG_RULES.keyMismatch,
          `the change says it sits behind flag ${annotated} (${ProvenanceAnnotations.flag}), but the Rollout drives flag ${flag.key}`,
          `make spec.flag.key and the ${ProvenanceAnnotations.flag} annotation name the same flag`,
          'The kill switch flips spec.flag.key; if the new code evaluates another flag, a failed canary cannot be switched off.',
        ),
      );
    }
    try {
      findings.push(...flagFindings(ctx, flag.key, await store.read(flag.key)));
    } catch (err) {
      if (!(err instanceof FlagSourceError)) throw err;
      findings.push(sourceFinding(ctx, err));
    }
    return verdict(findings);
  }
}
