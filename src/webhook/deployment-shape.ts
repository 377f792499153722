// The one shape context rules read a Deployment through. The API server never sends a
// Deployment whose fields have the wrong types, but a webhook must not trust that: a
// wrong type becomes a denial naming the field, never an exception inside a rule.
import { z } from 'zod';

const stringMap = z.record(z.string(), z.string()).nullish();
const quantities = z.record(z.string(), z.union([z.string(), z.number()])).nullish();

const container = z.looseObject({
  name: z.string().nullish(),
  image: z.string().nullish(),
  env: z.array(z.looseObject({ name: z.string(), value: z.string().nullish() })).nullish(),
  envFrom: z.array(z.looseObject({})).nullish(),
  ports: z.array(z.looseObject({ containerPort: z.number().nullish(), name: z.string().nullish() })).nullish(),
  resources: z.looseObject({ limits: quantities, requests: quantities }).nullish(),
  securityContext: z.looseObject({ runAsNonRoot: z.boolean().nullish(), runAsUser: z.number().nullish(), privileged: z.boolean().nullish() }).nullish(),
  readinessProbe: z.looseObject({}).nullish(),
  livenessProbe: z.looseObject({}).nullish(),
});

const objectMeta = z.looseObject({ name: z.string().nullish(), namespace: z.string().nullish(), labels: stringMap, annotations: stringMap });

export const deploymentShape = z.looseObject({
  metadata: objectMeta.nullish(),
  spec: z
    .looseObject({
      replicas: z.number().nullish(),
      selector: z.looseObject({ matchLabels: stringMap }).nullish(),
      template: z
        .looseObject({
          metadata: objectMeta.nullish(),
          spec: z
            .looseObject({
              containers: z.array(container).nullish(),
              initContainers: z.array(container).nullish(),
              securityContext: z.looseObject({ runAsNonRoot: z.boolean().nullish(), runAsUser: z.number().nullish() }).nullish(),
            })
            .nullish(),
        })
        .nullish(),
    })
    .nullish(),
});

function pathOf(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('') || '(object)';
}

/** Undefined when the object has the shape rules read; otherwise the field and what is wrong with it. */
export function deploymentShapeError(value: unknown): string | undefined {
  const parsed = deploymentShape.safeParse(value);
  if (parsed.success) return undefined;
  const issue = parsed.error.issues[0];
  if (!issue) return 'not a Deployment';
  return `${pathOf(issue.path)}: ${issue.message}`;
}
