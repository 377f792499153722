// The shapes the core reads a workload through: a Deployment-like object, its pod
// template and its Namespace. Structural, so the shell hands over client-node's objects
// as they are (they fit these types), and the core depends on no client library. The zod
// schema checks an object from outside (an admission request) before any rule reads it:
// the API server never sends a Deployment whose fields have the wrong types, but a
// webhook must not trust that, so a wrong type becomes a denial naming the field, never
// an exception inside a rule.
import { z } from 'zod';

type StringMap = Readonly<Record<string, string>>;

/** metav1.ObjectMeta, as far as the core reads it. */
export interface WorkloadMeta {
  name?: string | null;
  namespace?: string | null;
  labels?: StringMap | null;
  annotations?: StringMap | null;
}

export interface EnvVar {
  name: string;
  value?: string | null;
}

export interface ContainerPort {
  containerPort?: number | null;
  name?: string | null;
}

export interface SecuritySettings {
  runAsNonRoot?: boolean | null;
  runAsUser?: number | null;
}

export interface Container {
  name?: string | null;
  image?: string | null;
  env?: readonly EnvVar[] | null;
  ports?: readonly ContainerPort[] | null;
  resources?: { limits?: Readonly<Record<string, string | number>> | null; requests?: Readonly<Record<string, string | number>> | null } | null;
  securityContext?: (SecuritySettings & { privileged?: boolean | null }) | null;
  readinessProbe?: object | null;
  livenessProbe?: object | null;
}

export interface PodSpec {
  containers?: readonly Container[] | null;
  initContainers?: readonly Container[] | null;
  securityContext?: SecuritySettings | null;
}

export interface PodTemplate {
  metadata?: WorkloadMeta | null;
  spec?: PodSpec | null;
}

/** A Deployment, as far as gates and the rollout core read it. */
export interface Workload {
  metadata?: WorkloadMeta | null;
  spec?: {
    replicas?: number | null;
    selector?: { matchLabels?: StringMap | null } | null;
    template?: PodTemplate | null;
  } | null;
}

/** A Namespace: its name and the labels selectors and data classes read. */
export interface NamespaceObject {
  metadata?: { name?: string | null; labels?: StringMap | null } | null;
}

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

export const workloadSchema = z.looseObject({
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

type Fits<T extends Workload> = T;
/** An object the schema admitted; it is a Workload (checked here at compile time, so schema and type cannot drift apart). */
export type ParsedWorkload = Fits<z.infer<typeof workloadSchema>>;

function pathOf(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('') || '(object)';
}

/** Undefined when the object has the shape rules read; otherwise the field and what is wrong with it. */
export function workloadShapeError(value: unknown): string | undefined {
  const parsed = workloadSchema.safeParse(value);
  if (parsed.success) return undefined;
  const issue = parsed.error.issues[0];
  if (!issue) return 'not a Deployment';
  return `${pathOf(issue.path)}: ${issue.message}`;
}
