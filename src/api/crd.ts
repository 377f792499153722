import { z } from 'zod';
import { stringify } from 'yaml';
import { KINDS, type Kind } from './documents.js';
import { CATEGORY, GROUP, VERSION } from './group.js';

/** OpenAPI v3 schema as accepted by apiextensions.k8s.io/v1 (JSONSchemaProps). */
export interface JSONSchemaProps {
  type?: string;
  description?: string;
  properties?: Record<string, JSONSchemaProps>;
  items?: JSONSchemaProps;
  additionalProperties?: JSONSchemaProps;
  required?: string[];
  anyOf?: JSONSchemaProps[];
  [key: string]: unknown;
}

type JsonObject = Record<string, unknown>;

// zod's integer bounds when none are given; Kubernetes integers are int64 already.
const SAFE_INTEGER = Number.MAX_SAFE_INTEGER;

const VALUE_KEYS = new Set([
  'type',
  'description',
  'default',
  'enum',
  'format',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'required',
]);

/**
 * Converts zod's JSON Schema (OpenAPI 3.0 flavour) into a Kubernetes structural schema.
 * Anything that would not be structural (oneOf, $ref, unions) makes generation fail
 * loudly, so a schema change cannot silently produce a CRD the API server refuses.
 */
export function toStructural(node: JsonObject, path = '$'): JSONSchemaProps {
  if (node['x-kubernetes-int-or-string'] === true) return intOrString(node);
  const out: JSONSchemaProps = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$schema' || key === 'id') continue;
    if (key === 'properties') {
      out.properties = Object.fromEntries(Object.entries(value as Record<string, JsonObject>).map(([k, v]) => [k, toStructural(v, `${path}.${k}`)]));
    } else if (key === 'items') {
      out.items = toStructural(value as JsonObject, `${path}[]`);
    } else if (key === 'additionalProperties') {
      // `false` comes from strict objects: structural schemas prune unknown fields instead.
      if (typeof value === 'object' && value !== null) out.additionalProperties = toStructural(value as JsonObject, `${path}{}`);
    } else if (key.startsWith('x-kubernetes-') || VALUE_KEYS.has(key)) {
      out[key] = value;
    } else {
      throw new Error(`${path}: "${key}" is not allowed in a structural schema`);
    }
  }
  if (out.type === 'integer') {
    if (out.minimum === -SAFE_INTEGER) delete out.minimum;
    if (out.maximum === SAFE_INTEGER) delete out.maximum;
  }
  // The API server checks format: date-time itself; zod's long regex would only duplicate it.
  if (out.format === 'date-time') delete out.pattern;
  if (out.type === undefined) throw new Error(`${path}: every node of a structural schema needs a type`);
  if (out.properties !== undefined && out.additionalProperties !== undefined) {
    throw new Error(`${path}: properties and additionalProperties are mutually exclusive`);
  }
  return out;
}

function intOrString(node: JsonObject): JSONSchemaProps {
  const out: JSONSchemaProps = { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] };
  if (typeof node.description === 'string') out.description = node.description;
  if (node.default !== undefined) out.default = node.default;
  // zod's union branches carry the bounds; structural anyOf may not, so CEL checks them.
  out['x-kubernetes-validations'] = [
    {
      rule: "type(self) == int ? self >= 0 : self.matches('^[0-9]+%$')",
      message: 'must be a non-negative integer or a percentage such as 25%',
    },
  ];
  return out;
}

function jsonSchemaOf(schema: z.ZodType): JsonObject {
  return z.toJSONSchema(schema, { io: 'input', target: 'openapi-3.0', unrepresentable: 'throw' }) as JsonObject;
}

interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  priority?: number;
}

const AGE: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

interface KindOptions {
  singular: string;
  shortNames: string[];
  statusSubresource: boolean;
  scale?: boolean;
  printerColumns: PrinterColumn[];
}

// kubectl shows only the first element of a list in a column, so lists are not columns.
const POLICY_COLUMNS: PrinterColumn[] = [
  { name: 'Enforcement', type: 'string', jsonPath: '.spec.enforcement' },
  { name: 'Violations', type: 'integer', jsonPath: '.status.audit.violations', description: 'Violations found by the last audit' },
  AGE,
];

const OPTIONS: Record<Kind, KindOptions> = {
  Rollout: {
    singular: 'rollout',
    shortNames: ['cvr'],
    statusSubresource: true,
    scale: true,
    printerColumns: [
      { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
      { name: 'Step', type: 'integer', jsonPath: '.status.currentStepIndex', description: 'Index of the current canary step' },
      { name: 'Canary Weight', type: 'integer', jsonPath: '.status.weights.canary', description: 'Traffic percentage on the canary' },
      { name: 'Revision', type: 'string', jsonPath: '.status.canaryRevision', description: 'Pod-template hash being rolled out' },
      AGE,
      { name: 'Stable', type: 'string', jsonPath: '.status.stableRevision', priority: 1 },
      { name: 'Message', type: 'string', jsonPath: '.status.message', priority: 1 },
    ],
  },
  AnalysisTemplate: { singular: 'analysistemplate', shortNames: ['cvat'], statusSubresource: false, printerColumns: [] },
  ClusterAnalysisTemplate: {
    singular: 'clusteranalysistemplate',
    shortNames: ['cvcat'],
    statusSubresource: false,
    printerColumns: [],
  },
  ContextPolicy: { singular: 'contextpolicy', shortNames: ['cvcp'], statusSubresource: true, printerColumns: POLICY_COLUMNS },
  ClusterContextPolicy: {
    singular: 'clustercontextpolicy',
    shortNames: ['cvccp'],
    statusSubresource: true,
    printerColumns: POLICY_COLUMNS,
  },
  Change: {
    singular: 'change',
    shortNames: ['cvch'],
    statusSubresource: true,
    printerColumns: [
      { name: 'Origin', type: 'string', jsonPath: '.spec.origin' },
      { name: 'State', type: 'string', jsonPath: '.status.state' },
      { name: 'Attempts', type: 'integer', jsonPath: '.status.attempts', description: 'Revisions admitted and tried' },
      {
        name: 'Lead Time',
        type: 'number',
        jsonPath: '.status.figures.leadTimeSeconds',
        description: 'Seconds from the start to the promotion that proved stable',
      },
      AGE,
      { name: 'Rollout', type: 'string', jsonPath: '.spec.rollout', priority: 1 },
      { name: 'Denials', type: 'integer', jsonPath: '.status.denials', priority: 1 },
      { name: 'Rollbacks', type: 'integer', jsonPath: '.status.canaryRollbacks', priority: 1 },
    ],
  },
};

export interface CustomResourceDefinition {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string; labels: Record<string, string> };
  spec: JsonObject;
}

/** The top-level schema: standard envelope fields, with metadata left to the API server. */
function openAPIV3Schema(kind: Kind): JSONSchemaProps {
  const schema = KINDS[kind].schema;
  const shape: Record<string, z.ZodType> = schema.shape;
  const spec = shape.spec;
  if (spec === undefined) throw new Error(`${kind}: no spec`);
  const status = shape.status;
  const out: JSONSchemaProps = {
    type: 'object',
    properties: {
      apiVersion: {
        type: 'string',
        description: 'APIVersion defines the versioned schema of this representation of an object.',
      },
      kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
      metadata: { type: 'object' },
      spec: toStructural(jsonSchemaOf(spec), 'spec'),
      ...(status === undefined ? {} : { status: toStructural(jsonSchemaOf(status), 'status') }),
    },
    required: ['spec'],
  };
  const description = schema.description;
  if (description !== undefined) out.description = description;
  return out;
}

export function customResourceDefinition(kind: Kind): CustomResourceDefinition {
  const { plural, namespaced } = KINDS[kind];
  const opts = OPTIONS[kind];
  const subresources: JsonObject = {};
  if (opts.statusSubresource) subresources.status = {};
  if (opts.scale === true) {
    subresources.scale = {
      specReplicasPath: '.spec.replicas',
      statusReplicasPath: '.status.replicas',
      labelSelectorPath: '.status.selector',
    };
  }
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${plural}.${GROUP}`,
      labels: { 'app.kubernetes.io/name': 'clairvoyance', 'app.kubernetes.io/part-of': 'clairvoyance' },
    },
    spec: {
      group: GROUP,
      names: {
        kind,
        listKind: `${kind}List`,
        plural,
        singular: opts.singular,
        shortNames: opts.shortNames,
        categories: [CATEGORY],
      },
      scope: namespaced ? 'Namespaced' : 'Cluster',
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          ...(Object.keys(subresources).length > 0 ? { subresources } : {}),
          ...(opts.printerColumns.length > 0 ? { additionalPrinterColumns: opts.printerColumns } : {}),
          schema: { openAPIV3Schema: openAPIV3Schema(kind) },
        },
      ],
    },
  };
}

export interface GeneratedFile {
  fileName: string;
  content: string;
}

const HEADER = '# Generated from src/api by `npm run generate`. Do not edit.\n';

/** One YAML file per CRD, named like controller-gen does: <group>_<plural>.yaml. */
export function renderCrdFiles(): GeneratedFile[] {
  return (Object.keys(KINDS) as Kind[]).map((kind) => ({
    fileName: `${GROUP}_${KINDS[kind].plural}.yaml`,
    // YAML 1.1 quoting: kubectl reads unquoted on/off/yes/no as booleans.
    content: HEADER + stringify(customResourceDefinition(kind), { lineWidth: 0, version: '1.1' }),
  }));
}
