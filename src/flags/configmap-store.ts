// flagd definitions in a ConfigMap data key (what flagd's file/kubernetes sync
// and most GitOps setups mount). Writes splice only the changed members of one
// flag back into the original text, so every other byte survives, and carry
// the resourceVersion read so a concurrent writer is never overwritten.
import { isDeepStrictEqual } from 'node:util';
import type { V1ConfigMap } from '@kubernetes/client-node';
import type { ResourceClient } from '../kube/resource-client.js';
import { isNotFound } from '../kube/errors.js';
import type { FlagdDocument, FlagState } from './flagd-format.js';
import { parseFlagdDocument } from './flagd-format.js';
import { replaceObjectAt } from './json-edit.js';
import type { FlagStore, UpdateOptions } from './store.js';
import { DEFAULT_FIELD_MANAGER, FlagSourceError, nextFlag, retryOnConflict } from './store.js';

export interface ConfigMapRef {
  namespace: string;
  name: string;
  /** Data key holding the flagd JSON. */
  key: string;
}

/**
 * Rewrites flag `key` in flagd JSON `text` to `next`, touching only the members
 * that differ. Falls back to re-serializing the whole document with the
 * original indentation only if the text cannot be edited in place.
 */
export function spliceFlag(text: string, key: string, next: FlagState): string {
  const doc = JSON.parse(text) as FlagdDocument;
  doc.flags[key] = JSON.parse(JSON.stringify(next)) as FlagState;
  try {
    const out = replaceObjectAt(text, ['flags', key], next as Record<string, unknown>);
    // Belt and braces: the edited text must mean exactly the intended document.
    if (isDeepStrictEqual(JSON.parse(out), doc)) return out;
  } catch {
    // fall through to re-serialization
  }
  const indent = /\n([ \t]+)\S/.exec(text)?.[1] ?? '';
  const trailing = /\s*$/.exec(text)?.[0] ?? '';
  return JSON.stringify(doc, null, indent) + trailing;
}

export class ConfigMapFlagStore implements FlagStore {
  readonly description: string;

  constructor(
    private readonly configMaps: Pick<ResourceClient<V1ConfigMap>, 'get' | 'patch'>,
    private readonly ref: ConfigMapRef,
    private readonly opts: UpdateOptions = {},
  ) {
    this.description = `ConfigMap ${ref.namespace}/${ref.name} (key ${ref.key})`;
  }

  async read(key: string): Promise<FlagState | undefined> {
    const { doc } = await this.load();
    return doc.flags[key];
  }

  async update(key: string, mutate: (flag: FlagState) => FlagState): Promise<void> {
    await retryOnConflict(`update flag ${key} in ${this.description}`, this.opts.maxAttempts ?? 5, async () => {
      const { cm, text, doc } = await this.load();
      const current = doc.flags[key];
      if (!current) throw new FlagSourceError('FlagNotFound', `flag ${key} is not defined in ${this.description}`);
      const next = nextFlag(key, current, mutate, ['flags', key]);
      if (!next) return;
      const body = {
        // The resourceVersion turns the patch into a compare-and-swap: 409 if anyone wrote since our read.
        metadata: { resourceVersion: cm.metadata?.resourceVersion },
        data: { [this.ref.key]: spliceFlag(text, key, next) },
      };
      await this.configMaps.patch(this.ref.namespace, this.ref.name, body, 'merge', {
        query: { fieldManager: this.opts.fieldManager ?? DEFAULT_FIELD_MANAGER },
      });
    });
  }

  private async load(): Promise<{ cm: V1ConfigMap; text: string; doc: FlagdDocument }> {
    let cm: V1ConfigMap;
    try {
      cm = await this.configMaps.get(this.ref.namespace, this.ref.name);
    } catch (err) {
      if (isNotFound(err)) throw new FlagSourceError('SourceNotFound', `${this.description} does not exist`);
      throw err;
    }
    const text = cm.data?.[this.ref.key];
    if (text === undefined) {
      throw new FlagSourceError('SourceNotFound', `${this.description} has no data key ${this.ref.key}`);
    }
    const parsed = parseFlagdDocument(text);
    if (!parsed.ok) throw new FlagSourceError('InvalidSource', `${this.description} is not valid flagd JSON`, parsed.errors);
    return { cm, text, doc: parsed.value };
  }
}
