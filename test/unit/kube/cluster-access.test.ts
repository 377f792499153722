import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import type https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ClusterAccess, inClusterAccess, loadClusterAccess } from '../../../src/kube/cluster-access.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

function kubeconfigFile(
  user: Record<string, unknown>,
  cluster: Record<string, unknown> = { server: 'https://10.0.0.1:6443' },
  dir = mkdtempSync(join(tmpdir(), 'kc-')),
): string {
  const file = join(dir, 'config');
  writeFileSync(
    file,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'ctx',
      contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
      clusters: [{ name: 'c', cluster }],
      users: [{ name: 'u', user }],
    }),
  );
  return file;
}

async function optionsOf(kc: { applyToHTTPSOptions(o: https.RequestOptions): Promise<void> }): Promise<https.RequestOptions> {
  const opts: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(opts);
  return opts;
}

describe('loadClusterAccess', () => {
  it('reads a token user and the cluster TLS settings without the client library', async () => {
    const file = kubeconfigFile(
      { token: 'abc' },
      { server: 'https://10.0.0.1:6443', 'certificate-authority-data': b64('CA'), 'insecure-skip-tls-verify': true, 'tls-server-name': 'api.internal' },
    );
    const kc = await loadClusterAccess(file);
    expect(kc).toBeInstanceOf(ClusterAccess);
    expect(kc.getCurrentCluster()?.server).toBe('https://10.0.0.1:6443');
    const opts = await optionsOf(kc);
    expect(opts.headers).toEqual({ Authorization: 'Bearer abc' });
    expect(opts.ca?.toString()).toBe('CA');
    expect(opts.rejectUnauthorized).toBe(false);
    expect(opts.servername).toBe('api.internal');
    // The same Buffer every time, so one connection pool serves every request.
    expect((await optionsOf(kc)).ca).toBe(opts.ca);
  });

  it('resolves certificate and key paths against the kubeconfig directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kc-'));
    mkdirSync(join(dir, 'pki'));
    writeFileSync(join(dir, 'pki', 'ca.crt'), 'CA-FILE');
    writeFileSync(join(dir, 'pki', 'client.crt'), 'CERT-FILE');
    writeFileSync(join(dir, 'pki', 'client.key'), 'KEY-FILE');
    const file = kubeconfigFile(
      { 'client-certificate': 'pki/client.crt', 'client-key': 'pki/client.key' },
      { server: 'https://x:6443', 'certificate-authority': 'pki/ca.crt' },
      dir,
    );
    const opts = await optionsOf(await loadClusterAccess(file));
    expect([opts.ca?.toString(), opts.cert?.toString(), opts.key?.toString()]).toEqual(['CA-FILE', 'CERT-FILE', 'KEY-FILE']);
    expect(opts.headers).toEqual({});
  });

  it('sends basic auth when the user has a username', async () => {
    const opts = await optionsOf(await loadClusterAccess(kubeconfigFile({ username: 'admin', password: 'pw' })));
    expect(opts.headers).toEqual({ Authorization: `Basic ${b64('admin:pw')}` });
  });

  it('hands exec plugins, auth providers, proxies and impersonation to the full loader', async () => {
    for (const [user, cluster] of [
      [{ exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'get-token' } }, undefined],
      [{ 'auth-provider': { name: 'oidc' } }, undefined],
      [{ token: 't', as: 'someone' }, undefined],
      [{ token: 't' }, { server: 'https://x:6443', 'proxy-url': 'http://proxy:3128' }],
    ] as const) {
      const kc = await loadClusterAccess(kubeconfigFile(user, cluster));
      expect(kc).toBeInstanceOf(KubeConfig);
    }
  });

  it('refuses a --kubeconfig path that is not a file, naming the flag', async () => {
    await expect(loadClusterAccess('/nonexistent/kubeconfig')).rejects.toThrow(/--kubeconfig: \/nonexistent\/kubeconfig is not a file/);
    await expect(loadClusterAccess(tmpdir())).rejects.toThrow(/is not a file/);
  });

  it('names what is missing in a kubeconfig it cannot use', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kc-'));
    const noContext = join(dir, 'a');
    writeFileSync(noContext, stringify({ clusters: [] }));
    await expect(loadClusterAccess(noContext)).rejects.toThrow(/has no current-context: run kubectl config use-context/);
    const noServer = kubeconfigFile({ token: 't' }, {});
    await expect(loadClusterAccess(noServer)).rejects.toThrow(/names cluster "c", which has no server/);
  });

  it('uses the in-cluster service account when running in a pod and $KUBECONFIG is unset', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sa-'));
    writeFileSync(join(dir, 'ca.crt'), 'SA-CA');
    writeFileSync(join(dir, 'token'), 'sa-token\n');
    const kc = inClusterAccess({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }, dir);
    expect(kc.getCurrentCluster().server).toBe('https://[fd00::1]:443');
    const opts = await optionsOf(kc);
    expect(opts.headers).toEqual({ Authorization: 'Bearer sa-token' });
    expect(opts.ca?.toString()).toBe('SA-CA');
  });
});

describe('inClusterAccess', () => {
  it('names the missing service account file and the fix', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sa-'));
    writeFileSync(join(dir, 'ca.crt'), 'SA-CA');
    expect(() => inClusterAccess({ KUBERNETES_SERVICE_HOST: '10.0.0.1' }, dir)).toThrow(
      /token is missing: mount the service account token \(automountServiceAccountToken: true\), or pass --kubeconfig/,
    );
  });
});

describe('ClusterAccess', () => {
  it('rereads a rotating token file once a minute, not on every request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tok-'));
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 'first');
    let now = 0;
    const kc = new ClusterAccess({ name: 'c', server: 'https://x', skipTLSVerify: false }, { tokenFile }, () => now);
    expect((await optionsOf(kc)).headers).toEqual({ Authorization: 'Bearer first' });
    writeFileSync(tokenFile, 'second');
    now = 59_000;
    expect((await optionsOf(kc)).headers).toEqual({ Authorization: 'Bearer first' });
    now = 60_000;
    expect((await optionsOf(kc)).headers).toEqual({ Authorization: 'Bearer second' });
  });
});
