// Secrets to credentials: by name, cached for a while, and every way it can go wrong
// named with the field and the fix.
import type { V1Secret } from '@kubernetes/client-node';
import type { ResourceClient } from '../../../src/kube/resource-client.js';
import { describe, expect, it } from 'vitest';
import { SecretCredentialSource } from '../../../src/controller/secret-credentials.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

function api(secrets: Record<string, V1Secret | number>): { core: Pick<ResourceClient<V1Secret>, 'get'>; reads: string[] } {
  const reads: string[] = [];
  const core = {
    get(namespace: string | undefined, name: string): Promise<V1Secret> {
      reads.push(`${namespace}/${name}`);
      const found = secrets[`${namespace}/${name}`];
      if (found === undefined) return Promise.reject(Object.assign(new Error('not found'), { code: 404 }));
      if (typeof found === 'number') return Promise.reject(Object.assign(new Error('denied'), { code: found }));
      return Promise.resolve(found);
    },
  };
  return { core, reads };
}

describe('SecretCredentialSource', () => {
  it('reads a bearer token and basic auth by name, trimmed', async () => {
    const { core } = api({
      'ns/token': { data: { token: b64('abc\n') } },
      'ns/basic': { data: { username: b64('u'), password: b64('p') } },
    });
    const source = new SecretCredentialSource(core);
    expect(await source.resolve('ns', { bearerTokenSecretRef: { name: 'token', key: 'token' } })).toEqual({ bearerToken: 'abc' });
    expect(await source.resolve('ns', { basicAuthSecretRef: { name: 'basic' } })).toEqual({ basic: { username: 'u', password: 'p' } });
    expect(await source.resolve('ns', {})).toEqual({});
  });

  it('caches a Secret for its TTL, then reads it again (a rotated token is picked up)', async () => {
    let now = 0;
    const { core, reads } = api({ 'ns/token': { data: { token: b64('abc') } } });
    const source = new SecretCredentialSource(core, { ttlMs: 1000, now: () => now });
    const ref = { bearerTokenSecretRef: { name: 'token', key: 'token' } };
    await source.resolve('ns', ref);
    now = 999;
    await source.resolve('ns', ref);
    expect(reads).toHaveLength(1);
    now = 1000;
    await source.resolve('ns', ref);
    expect(reads).toHaveLength(2);
  });

  it('names the Secret, the field and the fix for each failure', async () => {
    const { core } = api({ 'ns/forbidden': 403, 'ns/nokey': { data: {} }, 'ns/empty': { data: { token: b64('  ') } } });
    const source = new SecretCredentialSource(core);
    const bearer = (name: string) => source.resolve('ns', { bearerTokenSecretRef: { name, key: 'token' } });
    await expect(bearer('missing')).rejects.toMatchObject({
      kind: 'config',
      field: 'provider.prometheus.authentication.bearerTokenSecretRef',
      message: 'Secret ns/missing not found',
    });
    await expect(bearer('forbidden')).rejects.toThrow(/may not read Secret ns\/forbidden: add "forbidden" to the chart's analysis.secretNames/);
    await expect(bearer('nokey')).rejects.toThrow('Secret ns/nokey has no key "token"');
    await expect(bearer('empty')).rejects.toThrow('Secret ns/empty key "token" is empty');
    await expect(source.resolve('ns', { basicAuthSecretRef: { name: 'nokey' } })).rejects.toMatchObject({
      field: 'provider.prometheus.authentication.basicAuthSecretRef',
    });
  });
});
