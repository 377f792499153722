import type { AnalysisTemplateSpec } from '../analysis-template.js';
import type { AnalysisTemplateRef, Rollout, RolloutAnalysis } from '../rollout.js';
import { durationMs } from '../durations.js';
import { child, error, warning, type ValidationIssue } from './issue.js';

/** Finds templates referenced by a Rollout (lint: in the linted files; webhook: in the cluster). */
export type TemplateLookup = (ref: AnalysisTemplateRef, namespace: string | undefined) => AnalysisTemplateSpec | undefined;

export interface RolloutContext {
  lookupTemplate?: TemplateLookup;
}

/** Semantic checks of a Rollout that the schema cannot express. */
export function checkRollout(rollout: Rollout, ctx: RolloutContext = {}): ValidationIssue[] {
  const { spec } = rollout;
  const canary = spec.strategy.canary;
  const stepsPath = 'spec.strategy.canary.steps';
  const issues: ValidationIssue[] = [];
  const namespace = rollout.metadata.namespace;

  let weight = 0;
  let weightPath: string | undefined;
  let flagPercent = 0;
  let analysed = spec.analysis !== undefined;
  canary.steps.forEach((step, i) => {
    const path = child(stepsPath, i);
    if (step.setWeight !== undefined) {
      if (step.setWeight < weight) {
        issues.push(
          warning(
            child(path, 'setWeight'),
            `weight decreases from ${weight}% (${weightPath ?? ''}) to ${step.setWeight}%`,
            'order setWeight steps so the weight never decreases; a failed canary is rolled back automatically',
          ),
        );
      }
      if (weight === 100 && step.setWeight === 100) {
        issues.push(warning(child(path, 'setWeight'), 'weight is already 100%', 'remove the repeated setWeight: 100 step'));
      }
      weight = step.setWeight;
      weightPath = child(path, 'setWeight');
    }
    if (step.pause?.duration !== undefined && durationMs(step.pause.duration) === 0) {
      issues.push(warning(child(path, 'pause', 'duration'), 'a pause of 0 does nothing', 'remove the step, or omit duration to wait for promote'));
    }
    if (step.setFlag !== undefined) {
      if (spec.flag === undefined) {
        issues.push(
          error(
            child(path, 'setFlag'),
            'setFlag step but spec.flag is not set, so there is no flag to turn on',
            'add spec.flag (key and source), or remove the step',
          ),
        );
      }
      if (step.setFlag.percent < flagPercent) {
        issues.push(
          warning(
            child(path, 'setFlag', 'percent'),
            `flag percentage decreases from ${flagPercent}% to ${step.setFlag.percent}%`,
            'order setFlag steps so the percentage never decreases',
          ),
        );
      }
      flagPercent = step.setFlag.percent;
    }
    if (step.analysis !== undefined) {
      analysed = true;
      issues.push(...checkAnalysisRef(step.analysis, child(path, 'analysis'), namespace, ctx));
    }
    for (const kind of ['setCanaryScale', 'setHeaderRoute'] as const) {
      if (step[kind] !== undefined && canary.traffic.gatewayAPI === undefined)
        issues.push(
          error(
            child(path, kind),
            `${kind} needs spec.strategy.canary.traffic.gatewayAPI: with the replicas router the weight is the canary's share of pods, and no route can match headers`,
            'set traffic.gatewayAPI (httpRoutes and service), or remove the step',
          ),
        );
    }
    const scale = step.setCanaryScale?.replicas;
    if (scale !== undefined && scale > spec.replicas)
      issues.push(
        warning(
          child(path, 'setCanaryScale', 'replicas'),
          `${scale} canary pods is more than spec.replicas (${spec.replicas})`,
          'use at most spec.replicas, or percent',
        ),
      );
  });

  const last = canary.steps.at(-1);
  if (last?.pause !== undefined && last.pause.duration === undefined) {
    issues.push(
      warning(
        child(stepsPath, canary.steps.length - 1, 'pause'),
        'the last step pauses without a duration: every rollout waits for a manual `clairvoyance promote` before going to 100%',
        'give the pause a duration, or remove it if promotion should be automatic',
      ),
    );
  }
  if (canary.steps.some((s) => s.setWeight !== undefined && s.setWeight > 0) && !analysed) {
    issues.push(
      warning(
        stepsPath,
        'the canary takes traffic but nothing judges it: no analysis step and no spec.analysis',
        'add an analysis step or spec.analysis (e.g. the error-rate template)',
      ),
    );
  }
  if (spec.analysis !== undefined) issues.push(...checkAnalysisRef(spec.analysis, 'spec.analysis', namespace, ctx));

  if (canary.maxSurge === 0 || canary.maxSurge === '0%') {
    if (canary.maxUnavailable === 0 || canary.maxUnavailable === '0%') {
      issues.push(
        error(
          'spec.strategy.canary.maxSurge',
          'maxSurge and maxUnavailable are both 0, so no pod can ever be replaced',
          'allow a surge (e.g. maxSurge: 25%) or some unavailability',
        ),
      );
    }
  }
  if (canary.traffic.gatewayAPI !== undefined && canary.baseline) {
    issues.push(
      error(
        'spec.strategy.canary.baseline',
        'a baseline is not supported with traffic.gatewayAPI yet: it would need its own Service and route weight',
        'use traffic.replicas with the baseline, or compare.against: stable with gatewayAPI',
      ),
    );
  }

  const requireFlagFor = spec.gates?.requireFlagFor ?? [];
  if (requireFlagFor.length > 0 && spec.flag === undefined) {
    issues.push(
      warning(
        'spec.gates.requireFlagFor',
        `changes with origin ${requireFlagFor.join(', ')} must sit behind a flag, but spec.flag is not set: they will be Blocked`,
        'add spec.flag, or remove the origins from requireFlagFor',
      ),
    );
  }
  return issues;
}

function checkAnalysisRef(analysis: RolloutAnalysis, path: string, namespace: string | undefined, ctx: RolloutContext): ValidationIssue[] {
  const { lookupTemplate } = ctx;
  if (lookupTemplate === undefined) return [];
  const issues: ValidationIssue[] = [];
  const supplied = new Set((analysis.args ?? []).map((a) => a.name));
  const declared = new Set<string>();
  let allFound = true;
  analysis.templates.forEach((ref, i) => {
    const kind = ref.clusterScope ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate';
    const template = lookupTemplate(ref, namespace);
    if (template === undefined) {
      allFound = false;
      issues.push(
        warning(
          child(path, 'templates', i),
          `${kind} "${ref.name}" was not found`,
          `create the ${kind}, or fix the name${ref.clusterScope ? '' : ' (or set clusterScope: true for a ClusterAnalysisTemplate)'}`,
        ),
      );
      return;
    }
    for (const arg of template.args ?? []) {
      declared.add(arg.name);
      if (arg.value === undefined && !supplied.has(arg.name)) {
        issues.push(
          error(
            child(path, 'args'),
            `${kind} "${ref.name}" requires argument "${arg.name}", which is not supplied`,
            `add {name: ${arg.name}, value: ...} to ${child(path, 'args')}`,
          ),
        );
      }
    }
  });
  if (allFound) {
    (analysis.args ?? []).forEach((arg, i) => {
      if (!declared.has(arg.name)) {
        issues.push(warning(child(path, 'args', i), `no referenced template declares argument "${arg.name}"`, 'remove it or fix the spelling'));
      }
    });
  }
  return issues;
}
