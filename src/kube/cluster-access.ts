import { readFileSync, statSync } from 'node:fs';
import type https from 'node:https';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import type { Cluster } from '@kubernetes/client-node';
import type { KubeConfigLike } from './rest.js';

// The controller's kubeconfig: in-cluster credentials, or a kubeconfig file with a
// token, a token file, client certificates or basic auth, read without the client
// library (whose loader pulls in every generated API). Anything else a kubeconfig
// can ask for (exec plugins, auth providers, proxies, impersonation, several
// merged files) is handed to the full loader, which supports all of it.

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/** Projected tokens rotate; client-go rereads the file at most once a minute. */
const TOKEN_REREAD_MS = 60_000;

interface ClusterEntry {
  server?: string;
  'certificate-authority'?: string;
  'certificate-authority-data'?: string;
  'insecure-skip-tls-verify'?: boolean;
  'tls-server-name'?: string;
  'proxy-url'?: string;
}

interface UserEntry {
  token?: string;
  tokenFile?: string;
  'client-certificate'?: string;
  'client-certificate-data'?: string;
  'client-key'?: string;
  'client-key-data'?: string;
  username?: string;
  password?: string;
  exec?: unknown;
  'auth-provider'?: unknown;
  as?: string;
  'as-groups'?: unknown;
  'as-uid'?: string;
}

interface KubeconfigFile {
  'current-context'?: string;
  clusters?: { name?: string; cluster?: ClusterEntry }[];
  contexts?: { name?: string; context?: { cluster?: string; user?: string } }[];
  users?: { name?: string; user?: UserEntry }[];
}

interface Credentials {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  token?: string;
  tokenFile?: string;
  basic?: string;
}

/** A kubeconfig reduced to one server and its static credentials. */
export class ClusterAccess implements KubeConfigLike {
  private token: string | undefined;
  private tokenReadAt = 0;

  constructor(
    private readonly cluster: Cluster,
    private readonly credentials: Credentials,
    private readonly now: () => number = Date.now,
  ) {
    this.token = credentials.token;
  }

  getCurrentCluster(): Cluster {
    return this.cluster;
  }

  applyToHTTPSOptions(opts: https.RequestOptions): Promise<void> {
    const c = this.credentials;
    // The same Buffers every time, so a connection pool keyed on them stays one pool.
    if (c.ca) opts.ca = c.ca;
    if (c.cert) opts.cert = c.cert;
    if (c.key) opts.key = c.key;
    if (this.cluster.skipTLSVerify) opts.rejectUnauthorized = false;
    if (this.cluster.tlsServerName) opts.servername = this.cluster.tlsServerName;
    const token = this.currentToken();
    const headers: Record<string, string> = {};
    if (token) headers.Authorization = `Bearer ${token}`;
    else if (c.basic) headers.Authorization = `Basic ${Buffer.from(c.basic).toString('base64')}`;
    opts.headers = { ...(opts.headers as Record<string, string> | undefined), ...headers };
    return Promise.resolve();
  }

  private currentToken(): string | undefined {
    const file = this.credentials.tokenFile;
    if (!file) return this.token;
    const now = this.now();
    if (this.token === undefined || now - this.tokenReadAt >= TOKEN_REREAD_MS) {
      this.token = readFileSync(file, 'utf8').trim();
      this.tokenReadAt = now;
    }
    return this.token;
  }
}

/**
 * An explicit path, else in cluster (unless $KUBECONFIG is set), else $KUBECONFIG or
 * ~/.kube/config: the same order as the CLI's loader. Falls back to that loader for
 * what this one does not read.
 */
export async function loadClusterAccess(path?: string, env: NodeJS.ProcessEnv = process.env): Promise<KubeConfigLike> {
  if (!path && env.KUBERNETES_SERVICE_HOST && !env.KUBECONFIG) return inClusterAccess(env);
  if (path && !exists(path))
    throw new Error(`--kubeconfig: ${path} is not a file: pass the path of a kubeconfig, or leave the flag out to use $KUBECONFIG or ~/.kube/config`);
  const files = path ? [path] : (env.KUBECONFIG ?? '').split(delimiter).filter((f) => f !== '');
  const file = files.length === 0 ? join(homedir(), '.kube', 'config') : files.length === 1 ? files[0] : undefined;
  const light = file === undefined || !exists(file) ? undefined : await fromFile(file);
  if (light) return light;
  const { loadKubeConfig } = await import('./kubeconfig.js');
  return loadKubeConfig(path);
}

export function inClusterAccess(env: NodeJS.ProcessEnv = process.env, dir = SERVICE_ACCOUNT_DIR): ClusterAccess {
  const host = env.KUBERNETES_SERVICE_HOST ?? '';
  const port = env.KUBERNETES_SERVICE_PORT ?? '443';
  const server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  for (const file of ['ca.crt', 'token']) {
    if (!exists(join(dir, file))) {
      throw new Error(
        `in cluster, but ${join(dir, file)} is missing: mount the service account token (automountServiceAccountToken: true), or pass --kubeconfig`,
      );
    }
  }
  return new ClusterAccess({ name: 'inCluster', server, skipTLSVerify: false }, { ca: readFileSync(join(dir, 'ca.crt')), tokenFile: join(dir, 'token') });
}

/** undefined when the file asks for something only the full loader does. */
async function fromFile(file: string): Promise<ClusterAccess | undefined> {
  const { parse } = await import('yaml');
  const config = parse(readFileSync(file, 'utf8')) as KubeconfigFile | null;
  const contextName = config?.['current-context'];
  if (!config || !contextName) throw new Error(`kubeconfig ${file} has no current-context: run kubectl config use-context <name>`);
  const context = config.contexts?.find((c) => c.name === contextName)?.context;
  if (!context) throw new Error(`kubeconfig ${file}: current-context "${contextName}" is not among its contexts`);
  const cluster = config.clusters?.find((c) => c.name === context.cluster)?.cluster;
  if (!cluster?.server) throw new Error(`kubeconfig ${file}: context "${contextName}" names cluster "${context.cluster ?? ''}", which has no server`);
  const user = config.users?.find((u) => u.name === context.user)?.user ?? {};
  if (cluster['proxy-url'] || user.exec || user['auth-provider'] || user.as || user['as-groups'] || user['as-uid']) return undefined;

  const base = dirname(file);
  const read = (p: string): Buffer => readFileSync(isAbsolute(p) ? p : join(base, p));
  const material = (data: string | undefined, p: string | undefined): Buffer | undefined => (data ? Buffer.from(data, 'base64') : p ? read(p) : undefined);
  const credentials: Credentials = {};
  const ca = material(cluster['certificate-authority-data'], cluster['certificate-authority']);
  const cert = material(user['client-certificate-data'], user['client-certificate']);
  const key = material(user['client-key-data'], user['client-key']);
  if (ca) credentials.ca = ca;
  if (cert) credentials.cert = cert;
  if (key) credentials.key = key;
  if (user.token) credentials.token = user.token;
  if (user.tokenFile) credentials.tokenFile = isAbsolute(user.tokenFile) ? user.tokenFile : join(base, user.tokenFile);
  if (user.username) credentials.basic = `${user.username}:${user.password ?? ''}`;
  const entry: Cluster = {
    name: context.cluster ?? contextName,
    server: cluster.server,
    skipTLSVerify: cluster['insecure-skip-tls-verify'] === true,
    ...(cluster['tls-server-name'] ? { tlsServerName: cluster['tls-server-name'] } : {}),
  };
  return new ClusterAccess(entry, credentials);
}

function exists(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
