// AdmissionReview v1: the envelope the API server sends and expects back.
import { z } from 'zod';

export const ADMISSION_API_VERSION = 'admission.k8s.io/v1';

const groupVersionKind = z.looseObject({ group: z.string(), version: z.string(), kind: z.string() });

const admissionRequestSchema = z.looseObject({
  uid: z.string().min(1),
  kind: groupVersionKind,
  resource: z.looseObject({ group: z.string(), version: z.string(), resource: z.string() }).optional(),
  name: z.string().optional(),
  namespace: z.string().optional(),
  operation: z.enum(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']),
  userInfo: z.looseObject({ username: z.string().optional() }).optional(),
  object: z.unknown().optional(),
  oldObject: z.unknown().optional(),
  dryRun: z.boolean().optional(),
});
export type AdmissionRequest = z.infer<typeof admissionRequestSchema>;

const admissionReviewSchema = z.looseObject({
  apiVersion: z.literal(ADMISSION_API_VERSION),
  kind: z.literal('AdmissionReview'),
  request: admissionRequestSchema,
});

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: { code: number; message: string; reason?: string };
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
  patchType?: 'JSONPatch';
  /** Base64 of the JSON Patch document. */
  patch?: string;
}

export interface AdmissionReviewOut {
  apiVersion: typeof ADMISSION_API_VERSION;
  kind: 'AdmissionReview';
  response: AdmissionResponse;
}

/** The request of a well-formed review, or why the body is not one (answered with 400). */
export function parseAdmissionReview(body: unknown): { request: AdmissionRequest } | { error: string } {
  const parsed = admissionReviewSchema.safeParse(body);
  if (parsed.success) return { request: parsed.data.request };
  const first = parsed.error.issues[0];
  return { error: `not an ${ADMISSION_API_VERSION} AdmissionReview: ${first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'invalid'}` };
}

export function reviewOf(response: AdmissionResponse): AdmissionReviewOut {
  return { apiVersion: ADMISSION_API_VERSION, kind: 'AdmissionReview', response };
}

export function allow(uid: string, extra: Omit<AdmissionResponse, 'uid' | 'allowed'> = {}): AdmissionResponse {
  return { uid, allowed: true, ...extra };
}

export function deny(uid: string, code: number, message: string, extra: Omit<AdmissionResponse, 'uid' | 'allowed' | 'status'> = {}): AdmissionResponse {
  const reason = code === 403 ? 'Forbidden' : code === 400 ? 'BadRequest' : code === 422 ? 'Invalid' : 'InternalError';
  return { uid, allowed: false, status: { code, message, reason }, ...extra };
}

/** A plain JSON object (not an array, not null), the least an admitted object must be. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
