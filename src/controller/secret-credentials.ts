// Resolves the Secrets a template's `authentication` names, by name and only by name:
// the chart grants `get` on the Secret names a platform team lists
// (analysis.secretNames), never a list of Secrets. Reads are cached briefly so a metric
// measured every few seconds does not read its Secret each time, while a rotated token
// is picked up within the TTL.
import type { V1Secret } from '@kubernetes/client-node';
import type { ResourceClient } from '../kube/resource-client.js';
import { ProviderError, type CredentialSource, type Credentials, type PrometheusAuthentication } from '../analysis/index.js';
import { errorMessage, statusCodeOf } from '../kube/errors.js';

const DEFAULT_TTL_MS = 30_000;
const FIELD = 'provider.prometheus.authentication';

export class SecretCredentialSource implements CredentialSource {
  private readonly cache = new Map<string, { at: number; secret: V1Secret }>();

  constructor(
    private readonly secrets: Pick<ResourceClient<V1Secret>, 'get'>,
    private readonly opts: { ttlMs?: number; now?: () => number } = {},
  ) {}

  async resolve(namespace: string, auth: PrometheusAuthentication, signal?: AbortSignal): Promise<Credentials> {
    if (auth.bearerTokenSecretRef) {
      const { name, key } = auth.bearerTokenSecretRef;
      const field = `${FIELD}.bearerTokenSecretRef`;
      const secret = await this.read(namespace, name, field, signal);
      return { bearerToken: value(secret, key, namespace, name, field) };
    }
    if (auth.basicAuthSecretRef) {
      const { name } = auth.basicAuthSecretRef;
      const field = `${FIELD}.basicAuthSecretRef`;
      const secret = await this.read(namespace, name, field, signal);
      return { basic: { username: value(secret, 'username', namespace, name, field), password: value(secret, 'password', namespace, name, field) } };
    }
    return {};
  }

  private async read(namespace: string, name: string, field: string, signal?: AbortSignal): Promise<V1Secret> {
    const key = `${namespace}/${name}`;
    const now = this.opts.now?.() ?? Date.now();
    const hit = this.cache.get(key);
    if (hit && now - hit.at < (this.opts.ttlMs ?? DEFAULT_TTL_MS)) return hit.secret;
    signal?.throwIfAborted();
    try {
      const secret = await this.secrets.get(namespace, name);
      this.cache.set(key, { at: now, secret });
      return secret;
    } catch (err) {
      this.cache.delete(key);
      const code = statusCodeOf(err);
      if (code === 404) throw new ProviderError('config', `Secret ${key} not found`, { field });
      if (code === 403) {
        throw new ProviderError(
          'config',
          `the controller may not read Secret ${key}: add "${name}" to the chart's analysis.secretNames (it grants get on those names only)`,
          { field },
        );
      }
      throw new ProviderError('unreachable', `reading Secret ${key}: ${errorMessage(err)}`, { field, cause: err });
    }
  }
}

function value(secret: V1Secret, key: string, namespace: string, name: string, field: string): string {
  const encoded = secret.data?.[key];
  if (encoded === undefined) throw new ProviderError('config', `Secret ${namespace}/${name} has no key "${key}"`, { field });
  const decoded = Buffer.from(encoded, 'base64').toString('utf8').trim();
  if (decoded === '') throw new ProviderError('config', `Secret ${namespace}/${name} key "${key}" is empty`, { field });
  return decoded;
}
