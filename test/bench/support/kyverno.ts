// Kyverno's admission controller (cmd/kyverno, built from dev/cluster/kyverno) run out of
// cluster against the local stack, as upstream's DEVELOPMENT.md describes: its CRDs from
// the pinned module, the `kyverno` namespace and config maps, `--serverIP` so the webhook
// configurations it registers point at 127.0.0.1. Kyverno creates its own CA and serving
// certificate (Secrets in its namespace) once it leads.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { peerModuleDir, resolveKyverno } from '../../../dev/stack/binaries.js';
import { paths } from '../../../dev/stack/paths.js';
import { freePort } from '../../../dev/stack/processes.js';
import { kubeconfigPath, kubectl } from '../../support/cluster.js';

export const KYVERNO_NAMESPACE = 'kyverno';

export interface KyvernoProcess {
  proc: ChildProcess;
  port: number;
  metricsPort: number;
  log: string;
  stop(): Promise<void>;
}

async function must(args: string[], input?: string): Promise<string> {
  const r = await kubectl(args, input !== undefined ? { input } : {});
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

export async function startKyverno(onProgress: (line: string) => void): Promise<KyvernoProcess> {
  const binary = await resolveKyverno();
  const crds = join(peerModuleDir('kyverno'), 'config', 'crds');
  await must(['apply', '--server-side', '--force-conflicts', '-R', '-f', crds]);
  await must(['wait', '--for=condition=Established', '--timeout=60s', 'crd/clusterpolicies.kyverno.io', 'crd/policies.kyverno.io']);
  await must(['create', 'namespace', KYVERNO_NAMESPACE, '--dry-run=client', '-o', 'yaml']).then((y) => must(['apply', '-f', '-'], y));
  for (const cm of ['kyverno', 'kyverno-metrics']) {
    await must(['-n', KYVERNO_NAMESPACE, 'create', 'configmap', cm, '--dry-run=client', '-o', 'yaml']).then((y) => must(['apply', '-f', '-'], y));
  }
  const [port, metricsPort, profilePort] = [await freePort(), await freePort(), await freePort()];
  mkdirSync(paths.logs, { recursive: true });
  const log = join(paths.logs, 'bench-kyverno.log');
  const out = createWriteStream(log);
  const proc = spawn(
    binary,
    [
      `--kubeconfig=${kubeconfigPath()}`,
      `--serverIP=127.0.0.1:${port}`,
      '--webhookServerHost=127.0.0.1',
      `--webhookServerPort=${port}`,
      `--servicePort=${port}`,
      '--metricsHost=127.0.0.1',
      `--metricsPort=${metricsPort}`,
      `--profilePort=${profilePort}`,
      '--controllerRuntimeMetricsAddress=0',
      '--backgroundServiceAccountName=system:serviceaccount:kyverno:kyverno-background-controller',
      '--reportsServiceAccountName=system:serviceaccount:kyverno:kyverno-reports-controller',
      '--caSecretName=kyverno-svc.kyverno.svc.kyverno-tls-ca',
      '--tlsSecretName=kyverno-svc.kyverno.svc.kyverno-tls-pair',
      '--tlsKeyAlgorithm=ECDSA',
      '--admissionReports=false',
      '--autoMemLimitEnabled=false',
      '--disableLogColor',
      '-v=1',
    ],
    {
      env: {
        ...process.env,
        KYVERNO_NAMESPACE,
        KYVERNO_SERVICEACCOUNT_NAME: 'kyverno-admission-controller',
        KYVERNO_DEPLOYMENT: 'kyverno-admission-controller',
        KYVERNO_POD_NAME: 'kyverno-bench',
        INIT_CONFIG: 'kyverno',
        METRICS_CONFIG: 'kyverno-metrics',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  proc.stdout!.pipe(out);
  proc.stderr!.pipe(out);
  const stop = async (): Promise<void> => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
    }
  };
  // Ready once the webhook answers its readiness probe over TLS (after the certificate exists).
  const started = Date.now();
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`kyverno exited (${proc.exitCode}); log: ${log}`);
    const ok = await probe(port);
    if (ok) break;
    if (Date.now() - started > 180_000) {
      await stop();
      throw new Error(`kyverno not ready after 180 s; log: ${log}`);
    }
    if ((Date.now() - started) % 10_000 < 1_000) onProgress(`kyverno: waiting for its webhook (${Math.round((Date.now() - started) / 1000)} s)`);
    await new Promise((r) => setTimeout(r, 1_000));
  }
  onProgress(`kyverno: webhook ready on 127.0.0.1:${port} after ${((Date.now() - started) / 1000).toFixed(1)} s; log: ${log}`);
  return { proc, port, metricsPort, log, stop };
}

async function probe(port: number): Promise<boolean> {
  const { request } = await import('node:https');
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/health/readiness', rejectUnauthorized: false, timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/** Waits until Kyverno reports the policy ready (compiled and in its cache). */
export async function waitPolicyReady(kind: 'ValidatingPolicy' | 'ClusterPolicy', name: string, timeoutMs = 120_000): Promise<void> {
  const started = Date.now();
  const [resource, path, ready] =
    kind === 'ClusterPolicy'
      ? ['clusterpolicy', '{.status.conditions[?(@.type=="Ready")].status}', 'True']
      : ['validatingpolicies.policies.kyverno.io', '{.status.conditionStatus.ready}', 'true'];
  for (;;) {
    const r = await kubectl(['get', resource, name, '-o', `jsonpath=${path}`]);
    if (r.code === 0 && r.stdout.trim() === ready) return;
    if (Date.now() - started > timeoutMs) throw new Error(`ClusterPolicy ${name} not Ready after ${timeoutMs / 1000} s: ${r.stdout}${r.stderr}`);
    await new Promise((res) => setTimeout(res, 1_000));
  }
}
