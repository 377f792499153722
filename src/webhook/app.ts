// The admission HTTP surface: JSON in, AdmissionReview out, and never a crash on bad input.
import express, { type ErrorRequestHandler, type Express, type Request, type Response } from 'express';
import { withSpan } from '../telemetry/tracing.js';
import { deny, parseAdmissionReview, reviewOf, type AdmissionResponse } from './admission-review.js';
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

function answer(res: Response, response: AdmissionResponse): void {
  res.status(200).json(reviewOf(response));
}

function route(name: string, handler: ReviewHandler, deps: ReviewDeps) {
  return async (req: Request, res: Response): Promise<void> => {
    const parsed = parseAdmissionReview(req.body);
    if ('error' in parsed) {
      res.status(400).json({ message: parsed.error });
      return;
    }
    const { request } = parsed;
    const stop = deps.metrics?.duration.startTimer({ endpoint: name });
    const response = await withSpan(`webhook ${name}`, { 'k8s.namespace.name': request.namespace ?? '', 'admission.operation': request.operation }, () => {
      try {
        return Promise.resolve(handler(request, deps));
      } catch (err) {
        // A well-formed denial: the API server applies the failure policy to transport
        // errors only, so a denial here keeps gated namespaces closed on surprises.
        if (err instanceof MalformedObjectError) return Promise.resolve(deny(request.uid, 400, `malformed object: ${err.message}`));
        deps.logger.error({ err, uid: request.uid, endpoint: name }, 'admission handler failed');
        return Promise.resolve(deny(request.uid, 500, `internal error evaluating ${name}; see the clairvoyance logs for uid ${request.uid}`));
      }
    });
    stop?.();
    if (request.dryRun !== true) deps.metrics?.reviews.inc({ operation: request.operation, allowed: String(response.allowed) });
    deps.logger.debug({ uid: request.uid, endpoint: name, allowed: response.allowed, dryRun: request.dryRun === true }, 'admission review');
    answer(res, response);
  };
}

/** Body-parser failures become 400 (bad JSON) or 413 (too large), never a 500 or a crash. */
const bodyErrors: ErrorRequestHandler = (err: unknown, _req, res, next) => {
  if (res.headersSent) {
    next(err);
    return;
  }
  const status = typeof err === 'object' && err !== null && 'status' in err && typeof err.status === 'number' ? err.status : 500;
  const code = status >= 400 && status < 500 ? status : 500;
  const message = code === 413 ? 'request body too large' : code < 500 ? 'malformed request body' : 'internal error';
  res.status(code).json({ message });
};

/** The express app with the admission routes; `extend` may mount more routes (benchmarks). */
export function createWebhookApp(opts: WebhookAppOptions, extend?: (app: Express) => void): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.get('/healthz', (_req, res) => {
    res.status(200).send('ok');
  });
  extend?.(app);
  // Any content type: the API server sends application/json, anything else is malformed JSON.
  app.use(express.json({ limit: opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, type: () => true, strict: false }));
  app.post(WEBHOOK_PATHS.validateDeployments, route('validate-deployments', validateDeployment, opts));
  app.post(WEBHOOK_PATHS.validateResources, route('validate-resources', validateResource, opts));
  app.post(WEBHOOK_PATHS.mutateDeployments, route('mutate-deployments', mutateDeployment, opts));
  app.use((_req, res) => {
    res.status(404).json({ message: 'not found' });
  });
  app.use(bodyErrors);
  return app;
}
