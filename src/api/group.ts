/** API group and version served by the Clairvoyance CRDs. */
export const GROUP = 'clairvoyance.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}` as const;

/** The `kubectl get clairvoyance` category every CRD belongs to. */
export const CATEGORY = 'clairvoyance';
