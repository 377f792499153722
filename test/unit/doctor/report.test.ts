import { describe, expect, it } from 'vitest';
import { controllerPermissions, describePermission } from '../../../src/api/permissions.js';
import { fail, pass } from '../../../src/doctor/check.js';
import { formatReport } from '../../../src/doctor/run-doctor.js';

describe('doctor report', () => {
  it('prints one line per check under its group, each ✗ followed by its fix, and the count', () => {
    const text = formatReport(
      {
        ok: false,
        checks: [
          pass('CRDs', 'rollouts.clairvoyance.dev installed'),
          fail('Webhook', 'ValidatingWebhookConfiguration cv points at an endpoint that does not answer', 'clairvoyance webhook remove --name cv'),
          pass('Webhook', 'no stale configuration'),
        ],
      },
      false,
    );
    expect(text.split('\n')).toEqual([
      'CRDs',
      '  ✓ rollouts.clairvoyance.dev installed',
      '',
      'Webhook',
      '  ✗ ValidatingWebhookConfiguration cv points at an endpoint that does not answer',
      '      fix: clairvoyance webhook remove --name cv',
      '  ✓ no stale configuration',
      '',
      '1 check failed.',
      '',
    ]);
    expect(formatReport({ ok: true, checks: [pass('CRDs', 'ok')] }, false)).toContain('All checks passed.');
  });
});

describe('controller permissions', () => {
  const list = controllerPermissions({ lease: 'cv-lease', webhookConfiguration: 'cv', tlsSecret: 'cv-tls' });

  it('names the objects it may touch by name, and says why each is needed', () => {
    expect(list.filter((p) => p.resource === 'leases').every((p) => p.name === 'cv-lease' && p.scope === 'own-namespace')).toBe(true);
    expect(list.filter((p) => p.resource === 'secrets').every((p) => p.name === 'cv-tls')).toBe(true);
    expect(list.filter((p) => p.resource.endsWith('webhookconfigurations')).every((p) => p.name === 'cv')).toBe(true);
    expect(list.every((p) => p.why.length > 0)).toBe(true);
    // Only the ledger's retention deletes, and only Changes.
    expect(list.filter((p) => p.verb === 'delete').map((p) => p.resource)).toEqual(['changes']);
  });

  it('reads like kubectl auth can-i', () => {
    expect(describePermission({ group: 'clairvoyance.dev', resource: 'rollouts', subresource: 'status', verb: 'patch', scope: 'any-namespace', why: '' })).toBe(
      'patch rollouts.clairvoyance.dev/status',
    );
    expect(describePermission({ group: '', resource: 'secrets', verb: 'get', name: 'tls', scope: 'own-namespace', why: '' })).toBe('get secrets tls');
  });
});
