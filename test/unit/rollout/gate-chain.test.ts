import { describe, expect, it } from 'vitest';
import { rolloutSpecSchema } from '../../../src/api/index.js';
import { GateChain, type GateEvaluator, type GateInput } from '../../../src/rollout/seams.js';

const spec = rolloutSpecSchema.parse({ replicas: 1, workloadRef: { kind: 'Deployment', name: 'app' }, strategy: { canary: { steps: [] } } });

describe('GateChain', () => {
  it('runs every evaluator, passes only if all pass, and joins their messages', async () => {
    const calls: string[] = [];
    const gate = (name: string, passed: boolean): GateEvaluator => ({
      evaluate: () => {
        calls.push(name);
        return Promise.resolve({ passed, findings: [], ...(passed ? {} : { message: `${name} says no` }) });
      },
    });
    const input: GateInput = { rollout: { name: 'a', namespace: 'n', uid: 'u' }, spec, deployment: {}, revision: 'r', namespace: undefined };
    const verdict = await new GateChain([gate('policy', false), gate('flag', false)]).evaluate(input);
    expect(calls).toEqual(['policy', 'flag']);
    expect(verdict).toEqual({ passed: false, findings: [], message: 'policy says no; flag says no' });
  });

  it('starts no evaluator once the reconcile is aborted', async () => {
    const calls: string[] = [];
    const controller = new AbortController();
    const first: GateEvaluator = {
      evaluate: () => {
        calls.push('first');
        controller.abort(new Error('lease lost'));
        return Promise.resolve({ passed: true, findings: [] });
      },
    };
    const second: GateEvaluator = { evaluate: () => (calls.push('second'), Promise.resolve({ passed: true, findings: [] })) };
    const input: GateInput = {
      rollout: { name: 'a', namespace: 'n', uid: 'u' },
      spec,
      deployment: {},
      revision: 'r',
      namespace: undefined,
      signal: controller.signal,
    };
    await expect(new GateChain([first, second]).evaluate(input)).rejects.toThrow('lease lost');
    expect(calls).toEqual(['first']);
  });
});
