// The API server's own view of a webhook: kube-apiserver's
// apiserver_admission_webhook_admission_duration_seconds histogram (per webhook name,
// type and rejected), read from its /metrics before and after a burst of Deployment
// updates, so the figures include what the API server pays around the call (its TLS
// client, the AdmissionReview it encodes and decodes, the queueing in front of it).
import { AppsV1Api, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { kubectl } from '../../support/cluster.js';

const METRIC = 'apiserver_admission_webhook_admission_duration_seconds';
const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** Cumulative bucket counts (upper bound → count, +Inf included), as Prometheus exposes them. */
export interface Histogram {
  buckets: Map<number, number>;
  count: number;
  sum: number;
  rejected: number;
}

/** Per webhook (`name`, `type`: validating or admit) whose name matches, keyed `name type`. */
export type WebhookHistograms = Map<string, Histogram>;

function labelsOf(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) out[m[1]!] = m[2]!;
  return out;
}

function empty(): Histogram {
  return { buckets: new Map(), count: 0, sum: 0, rejected: 0 };
}

/** Scrapes kube-apiserver's /metrics (through kubectl) for the webhooks `names` matches. */
export async function scrapeWebhookHistograms(names: RegExp): Promise<WebhookHistograms> {
  const r = await kubectl(['get', '--raw', '/metrics']);
  if (r.code !== 0) throw new Error(`kubectl get --raw /metrics failed: ${r.stderr}`);
  const out: WebhookHistograms = new Map();
  for (const line of r.stdout.split('\n')) {
    if (!line.startsWith(METRIC)) continue;
    const m = /^(\w+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!m) continue;
    const [, series, labelText, valueText] = m;
    const labels = labelsOf(labelText!);
    if (!labels.name || !names.test(labels.name)) continue;
    const key = `${labels.name} ${labels.type ?? ''}`;
    const h = out.get(key) ?? empty();
    out.set(key, h);
    const value = Number(valueText);
    if (series === `${METRIC}_bucket`) {
      const le = labels.le === '+Inf' ? Infinity : Number(labels.le);
      h.buckets.set(le, (h.buckets.get(le) ?? 0) + value);
    } else if (series === `${METRIC}_count`) {
      h.count += value;
      if (labels.rejected === 'true') h.rejected += value;
    } else if (series === `${METRIC}_sum`) {
      h.sum += value;
    }
  }
  return out;
}

/** What happened between two scrapes. */
export function histogramDelta(after: WebhookHistograms, before: WebhookHistograms): WebhookHistograms {
  const out: WebhookHistograms = new Map();
  for (const [key, a] of after) {
    const b = before.get(key) ?? empty();
    const buckets = new Map([...a.buckets].map(([le, n]) => [le, n - (b.buckets.get(le) ?? 0)]));
    const d = { buckets, count: a.count - b.count, sum: a.sum - b.sum, rejected: a.rejected - b.rejected };
    if (d.count > 0) out.set(key, d);
  }
  return out;
}

/** histogram_quantile: linear within the bucket the rank falls in; the top finite bound if beyond it. In ms. */
export function quantileMs(h: Histogram, q: number): number {
  const bounds = [...h.buckets.keys()].sort((x, y) => x - y);
  const total = h.buckets.get(Infinity) ?? h.count;
  if (total === 0) return NaN;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const le of bounds) {
    const n = h.buckets.get(le) ?? 0;
    if (n >= rank) {
      if (le === Infinity) return lower * 1000;
      return (lower + ((le - lower) * (rank - below)) / Math.max(1, n - below)) * 1000;
    }
    lower = le;
    below = n;
  }
  return lower * 1000;
}

/** The share of calls at or under `bound` seconds (a bucket bound), as the histogram counts it. */
export function shareUnder(h: Histogram, bound: number): number {
  const total = h.buckets.get(Infinity) ?? h.count;
  return total === 0 ? NaN : (h.buckets.get(bound) ?? 0) / total;
}

export interface BurstResult {
  updates: number;
  concurrency: number;
  wallMs: number;
  /** Updates the API server refused because a webhook denied them. */
  denied: number;
  /** Anything else that failed (timeouts, conflicts, 5xx). */
  failed: number;
  firstFailure?: string;
}

/**
 * `total` merge patches of a metadata annotation, `concurrency` in flight, each in-flight
 * slot on its own Deployment of `names` (two patches of one object would conflict, and the
 * API server would call the webhooks again for the retry). Every `denyEvery`-th also drops the `team` label, which the policy refuses.
 * A metadata change is what a webhook gating labels and annotations must see, and it
 * makes no new ReplicaSet, so the burst measures admission and not the controllers.
 */
export async function deploymentBurst(
  kc: KubeConfig,
  namespace: string,
  names: string[],
  opts: { total: number; concurrency: number; denyEvery: number },
): Promise<BurstResult> {
  const apps = kc.makeApiClient(AppsV1Api);
  let next = 0;
  let denied = 0;
  let failed = 0;
  let firstFailure: string | undefined;
  const started = performance.now();
  const worker = async (slot: number): Promise<void> => {
    const name = names[slot % names.length]!;
    for (let i = next++; i < opts.total; i = next++) {
      const drop = opts.denyEvery > 0 && i % opts.denyEvery === opts.denyEvery - 1;
      const body = { metadata: { annotations: { 'bench.clairvoyance.dev/touch': String(i) }, ...(drop ? { labels: { team: null } } : {}) } };
      try {
        await apps.patchNamespacedDeployment({ name, namespace, body }, MERGE_PATCH);
      } catch (err) {
        const text = err instanceof Error ? err.message : String(err);
        if (/denied the request/.test(text)) denied++;
        else {
          failed++;
          firstFailure ??= text.slice(0, 300);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, (_, slot) => worker(slot)));
  return {
    updates: opts.total,
    concurrency: opts.concurrency,
    wallMs: performance.now() - started,
    denied,
    failed,
    ...(firstFailure ? { firstFailure } : {}),
  };
}
