// The admission HTTP surface: JSON in, AdmissionReview out, and never a crash on bad input.
// A plain node:http(s) request listener: per review, each layer between the socket and
// the handler costs more than evaluating the policies does.
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { withSyncSpan } from '../telemetry/tracing.js';
import { deny, parseAdmissionReview, reviewOf, type AdmissionRequest, type AdmissionResponse } from './admission-review.js';
import { readBody } from './body.js';
import { MalformedObjectError, type ReviewDeps, type ReviewHandler } from './handler.js';
import { mutateDeployment } from './mutate-deployment.js';
import { validateDeployment } from './validate-deployment.js';
import { validateResource } from './validate-resource.js';

export const WEBHOOK_PATHS = {
  validateDeployments: '/validate/deployments',
  validateResources: '/validate/resources',
  mutateDeployments: '/mutate/deployments',
} as const;

/** The API server caps objects at ~1.5 MiB; twice that plus the old object fits any real review. */
export const DEFAULT_MAX_BODY_BYTES = 3 * 1024 * 1024;

export interface WebhookAppOptions extends ReviewDeps {
  maxBodyBytes?: number;
}

/** A node:http(s) request listener. */
export type WebhookHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** What `extend` may add to the app: more routes (benchmarks), served as they are. */
export interface WebhookRoutes {
  /** Serves `method` on `path` (the query is ignored); HEAD falls back to GET. */
  add(method: string, path: string, handler: WebhookHandler): void;
}

function sendJson(res: ServerResponse, status: number, payload: unknown, headers: OutgoingHttpHeaders = {}): void {
  const body = JSON.stringify(payload);
  // One write: headers and body leave in the same TLS record when they fit.
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function evaluate(name: string, handler: ReviewHandler, request: AdmissionRequest, deps: ReviewDeps): AdmissionResponse {
  try {
    return handler(request, deps);
  } catch (err) {
    // A well-formed denial: the API server applies the failure policy to transport
    // errors only, so a denial here keeps gated namespaces closed on surprises.
    if (err instanceof MalformedObjectError) return deny(request.uid, 400, `malformed object: ${err.message}`);
    deps.logger.error({ err, uid: request.uid, endpoint: name }, 'admission handler failed');
    return deny(request.uid, 500, `internal error evaluating ${name}; see the clairvoyance logs for uid ${request.uid}`);
  }
}

/** One admission endpoint: the parsed body in, the status and JSON to answer out. */
function review(name: string, handler: ReviewHandler, deps: ReviewDeps): (body: unknown) => { status: number; payload: unknown } {
  const duration = deps.metrics?.duration.labels({ endpoint: name });
  const spanName = `webhook ${name}`;
  return (body) => {
    const parsed = parseAdmissionReview(body);
    if ('error' in parsed) return { status: 400, payload: { message: parsed.error } };
    const { request } = parsed;
    const started = performance.now();
    const response = withSyncSpan(
      spanName,
      () => ({ 'k8s.namespace.name': request.namespace ?? '', 'admission.operation': request.operation }),
      () => evaluate(name, handler, request, deps),
    );
    duration?.observe((performance.now() - started) / 1000);
    if (request.dryRun !== true) deps.metrics?.reviews.inc({ operation: request.operation, allowed: response.allowed ? 'true' : 'false' });
    if (deps.logger.isLevelEnabled('debug')) {
      deps.logger.debug({ uid: request.uid, endpoint: name, allowed: response.allowed, dryRun: request.dryRun === true }, 'admission review');
    }
    return { status: 200, payload: reviewOf(response) };
  };
}

function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/**
 * The admission routes, `/healthz`, and whatever `extend` adds. Bodies are read with a
 * byte limit: too large is 413, not JSON 400, unknown path 404, wrong method 405.
 */
export function createWebhookApp(opts: WebhookAppOptions, extend?: (routes: WebhookRoutes) => void): WebhookHandler {
  const limit = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const plain = new Map<string, Map<string, WebhookHandler>>();
  const routes: WebhookRoutes = {
    add(method, path, handler) {
      const byMethod = plain.get(path) ?? new Map<string, WebhookHandler>();
      byMethod.set(method.toUpperCase(), handler);
      plain.set(path, byMethod);
    },
  };
  routes.add('GET', '/healthz', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': 2 });
    res.end('ok');
  });
  extend?.(routes);
  const reviews = new Map<string, (body: unknown) => { status: number; payload: unknown }>([
    [WEBHOOK_PATHS.validateDeployments, review('validate-deployments', validateDeployment, opts)],
    [WEBHOOK_PATHS.validateResources, review('validate-resources', validateResource, opts)],
    [WEBHOOK_PATHS.mutateDeployments, review('mutate-deployments', mutateDeployment, opts)],
  ]);

  /** Answers 500 rather than crash on anything unforeseen, in the listener or after the body. */
  const guarded = (req: IncomingMessage, res: ServerResponse, fn: () => void): void => {
    try {
      fn();
    } catch (err) {
      opts.logger.error({ err, url: req.url }, 'webhook request failed');
      if (!res.headersSent) sendJson(res, 500, { message: 'internal error' });
      else res.destroy();
    }
  };

  const serveReview = (req: IncomingMessage, res: ServerResponse, answer: (body: unknown) => { status: number; payload: unknown }): void => {
    readBody(req, limit, (result) => {
      // The client is gone: nobody to answer.
      if ('aborted' in result) return;
      if ('status' in result) {
        sendJson(res, result.status, { message: result.message });
        return;
      }
      guarded(req, res, () => {
        let body: unknown;
        try {
          // Any content type: the API server sends application/json, anything else is malformed JSON.
          body = JSON.parse(result.body.toString('utf8'));
        } catch {
          sendJson(res, 400, { message: 'malformed request body' });
          return;
        }
        const { status, payload } = answer(body);
        sendJson(res, status, payload);
      });
    });
  };

  return (req, res) =>
    guarded(req, res, () => {
      const path = pathOf(req.url);
      const method = req.method ?? 'GET';
      const extra = plain.get(path);
      const handler = extra?.get(method) ?? (method === 'HEAD' ? extra?.get('GET') : undefined);
      if (handler) return handler(req, res);
      const answer = reviews.get(path);
      if (answer && method === 'POST') return serveReview(req, res, answer);
      if (answer || extra) {
        const allowed = answer ? ['POST'] : [...(extra?.keys() ?? [])];
        sendJson(res, 405, { message: 'method not allowed' }, { allow: allowed.join(', ') });
        return;
      }
      sendJson(res, 404, { message: 'not found' });
    });
}
