// The forms a pipeline consumes provenance in. Pure.
import { stringify } from 'yaml';

export const PROVENANCE_FORMATS = ['annotations', 'patch', 'kustomize'] as const;
export type ProvenanceFormat = (typeof PROVENANCE_FORMATS)[number];

export function renderProvenance(annotations: Record<string, string>, format: ProvenanceFormat): string {
  switch (format) {
    case 'annotations':
      return stringify(annotations, { lineWidth: 0 });
    case 'patch':
      // A merge patch for the Deployment's pod template: kubectl patch --type merge -p "$(...)".
      return `${JSON.stringify({ spec: { template: { metadata: { annotations } } } })}\n`;
    case 'kustomize':
      // A Component: list it under `components:` and every Deployment's pod template carries the annotations.
      return stringify(
        {
          apiVersion: 'kustomize.config.k8s.io/v1alpha1',
          kind: 'Component',
          patches: [
            {
              target: { group: 'apps', version: 'v1', kind: 'Deployment' },
              patch: stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'any' }, spec: { template: { metadata: { annotations } } } }),
            },
          ],
        },
        { lineWidth: 0 },
      );
  }
}
