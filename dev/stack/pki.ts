// The stack's PKI: one CA, the API server's serving certificate, a client
// certificate per component, and the service-account signing key pair.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCertificateAuthority, createSigningKeyPair, type PemPair } from '../../src/pki/certificates.js';
import { paths } from './paths.js';

export interface StackPki {
  caCert: string;
  caPem: string;
  serving: { cert: string; key: string };
  saPublic: string;
  saPrivate: string;
  clients: Record<'admin' | 'controller-manager' | 'scheduler' | 'kubelet' | 'kube-proxy', PemPair>;
  /** The admin client's files: the API server presents it to kubelets (logs, exec). */
  adminFiles: { cert: string; key: string };
}

const file = (name: string): string => join(paths.pki, name);

export async function createPki(): Promise<StackPki> {
  mkdirSync(paths.pki, { recursive: true, mode: 0o700 });
  const ca = await createCertificateAuthority('clairvoyance-local-ca', 365);
  const serving = await ca.issue({
    commonName: 'kube-apiserver',
    dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'],
    // 10.250.0.1: the relay on the real node's bridge, where pods reach the API server.
    ipAddresses: ['127.0.0.1', '10.96.0.1', '10.250.0.1'],
    usage: 'server',
    validDays: 365,
  });
  const admin = await ca.issue({ commonName: 'clairvoyance-admin', organizations: ['system:masters'], usage: 'client', validDays: 365 });
  const kcm = await ca.issue({ commonName: 'system:kube-controller-manager', usage: 'client', validDays: 365 });
  const scheduler = await ca.issue({ commonName: 'system:kube-scheduler', usage: 'client', validDays: 365 });
  // The Node authorizer grants a kubelet exactly its own node's objects by this identity.
  const kubelet = await ca.issue({ commonName: 'system:node:clairvoyance-node', organizations: ['system:nodes'], usage: 'client', validDays: 365 });
  // Bound to the system:node-proxier ClusterRole by the API server's bootstrap policy.
  const kubeProxy = await ca.issue({ commonName: 'system:kube-proxy', usage: 'client', validDays: 365 });
  const sa = await createSigningKeyPair();

  const write = (name: string, content: string): string => {
    writeFileSync(file(name), content, { mode: 0o600 });
    return file(name);
  };
  write('ca.key', ca.keyPem);
  return {
    caCert: write('ca.crt', ca.certPem),
    caPem: ca.certPem,
    serving: { cert: write('apiserver.crt', serving.certPem), key: write('apiserver.key', serving.keyPem) },
    saPublic: write('sa.pub', sa.publicKeyPem),
    saPrivate: write('sa.key', sa.privateKeyPem),
    clients: { admin, 'controller-manager': kcm, scheduler, kubelet, 'kube-proxy': kubeProxy },
    adminFiles: { cert: write('admin.crt', admin.certPem), key: write('admin.key', admin.keyPem) },
  };
}

export function pkiExists(): boolean {
  return existsSync(file('ca.crt'));
}

/** A self-contained kubeconfig (certificates inlined) so it can be copied anywhere. */
export function kubeconfigYaml(server: string, caPem: string, client: PemPair, user: string): string {
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: clairvoyance-local',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${b64(caPem)}`,
    'users:',
    `- name: ${user}`,
    '  user:',
    `    client-certificate-data: ${b64(client.certPem)}`,
    `    client-key-data: ${b64(client.keyPem)}`,
    'contexts:',
    '- name: clairvoyance-local',
    '  context:',
    '    cluster: clairvoyance-local',
    `    user: ${user}`,
    'current-context: clairvoyance-local',
    '',
  ].join('\n');
}
