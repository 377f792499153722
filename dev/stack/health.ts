// Polls a component until it answers healthy; a process that dies meanwhile fails
// fast with its log tail instead of waiting out the timeout.
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { tail } from './logs.js';
import { isRunning, type StartedProcess } from './processes.js';
import { StackError } from './progress.js';

export interface TlsClient {
  ca: string;
  cert?: string;
  key?: string;
  insecure?: boolean;
}

export function httpGet(url: string, tls?: TlsClient, timeoutMs = 2000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const isHttps = url.startsWith('https:');
    const options = isHttps ? { ca: tls?.ca, cert: tls?.cert, key: tls?.key, rejectUnauthorized: !tls?.insecure, timeout: timeoutMs } : { timeout: timeoutMs };
    const req = (isHttps ? httpsRequest : httpRequest)(url, options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export async function isHealthy(url: string, tls?: TlsClient): Promise<boolean> {
  try {
    return (await httpGet(url, tls)).status === 200;
  } catch {
    return false;
  }
}

export async function waitUntil(
  proc: StartedProcess | undefined,
  component: string,
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    if (proc && !isRunning(proc)) {
      throw new StackError(component, proc.command, `exited before ${what}`, tail(proc.log));
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new StackError(component, proc?.command ?? '(none)', `not ${what} after ${timeoutMs / 1000}s`, proc ? tail(proc.log) : '');
}
