import { z } from 'zod';
import { GROUP } from './group.js';

/**
 * Change provenance. These live on the Deployment's pod template so they travel with
 * each revision (a new template hash carries its own origin, commit and author time).
 */
export const ProvenanceAnnotations = {
  origin: `${GROUP}/origin`,
  generator: `${GROUP}/generator`,
  changeId: `${GROUP}/change-id`,
  commit: `${GROUP}/commit`,
  pullRequest: `${GROUP}/pull-request`,
  reviewedBy: `${GROUP}/reviewed-by`,
  flag: `${GROUP}/flag`,
  authoredAt: `${GROUP}/authored-at`,
  promptedAt: `${GROUP}/prompted-at`,
  fixes: `${GROUP}/fixes`,
} as const;
export type ProvenanceField = keyof typeof ProvenanceAnnotations;

/** Downstream contracts: comma-separated `name@vN` lists on the pod template. */
export const ContractAnnotations = {
  provides: `${GROUP}/provides`,
  consumes: `${GROUP}/consumes`,
} as const;

/** Namespace label that opts a namespace into gating by the admission webhook. */
export const GATED_NAMESPACE_LABEL = `${GROUP}/gated`;

/** Default namespace label holding a namespace's data classification. */
export const DATA_CLASS_LABEL = `${GROUP}/data-class`;

/** Who wrote a change. Unannotated changes count as the policy's `defaultOrigin`. */
export const ORIGINS = ['ai-generated', 'ai-assisted', 'human'] as const;
export const originSchema = z.enum(ORIGINS).describe('Who wrote the change: ai-generated, ai-assisted or human.');
export type Origin = z.infer<typeof originSchema>;

export function isOrigin(value: unknown): value is Origin {
  return typeof value === 'string' && (ORIGINS as readonly string[]).includes(value);
}

/** One `name@vN` entry of a provides/consumes annotation. */
export interface ContractRef {
  name: string;
  major: number;
}

const CONTRACT_PATTERN = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?)@v([0-9]+)$/;

/**
 * Parses a provides/consumes annotation value. Malformed entries are returned separately
 * so callers can report them instead of silently ignoring a broken contract.
 */
export function parseContracts(value: string | undefined): { refs: ContractRef[]; invalid: string[] } {
  const refs: ContractRef[] = [];
  const invalid: string[] = [];
  for (const raw of (value ?? '').split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const m = CONTRACT_PATTERN.exec(entry);
    if (m?.[1] !== undefined && m[3] !== undefined) refs.push({ name: m[1], major: Number(m[3]) });
    else invalid.push(entry);
  }
  return { refs, invalid };
}

export function formatContract(ref: ContractRef): string {
  return `${ref.name}@v${ref.major}`;
}
