// The dev stack's gateway as data: the build-time patches to Traefik's sources and the
// configuration Traefik is started with, checked before any build or process.
import { describe, expect, it } from 'vitest';
import { GATEWAY_API_KINDS } from '../../../dev/stack/gateway-api.js';
import { GATEWAY_ID_LABEL, gatewayClusterRole, gatewayObjects, TRAEFIK_CONTROLLER_NAME, traefikStaticConfig } from '../../../dev/stack/gateway-config.js';
import { patchDigestAuth, patchDnsRegistry, UNSERVED_DNS_PROVIDERS } from '../../../dev/stack/traefik-source.js';

/** lego's generated registry, in its layout: one import and one case per provider. */
function registry(providers: string[]): string {
  const imports = providers.map((p) => `\t"github.com/go-acme/lego/v5/providers/dns/${p}"\n`).join('');
  const cases = providers.map((p) => `\tcase "${p}":\n\t\treturn ${p}.NewDNSProvider()\n`).join('');
  return `package dns\n\nimport (\n\t"fmt"\n\n${imports})\n\nfunc NewDNSChallengeProviderByName(name string) (challenge.Provider, error) {\n\tswitch name {\n${cases}\tdefault:\n\t\treturn nil, fmt.Errorf("unrecognized DNS provider: %s", name)\n\t}\n}\n`;
}

describe('build-time patch of lego (DNS providers whose SDKs are not served)', () => {
  const unserved = Object.keys(UNSERVED_DNS_PROVIDERS);
  const patched = patchDnsRegistry(registry(['cloudflare', ...unserved, 'route53']));

  it('removes the imports of the unserved providers and keeps the others', () => {
    for (const p of unserved) expect(patched).not.toContain(`/providers/dns/${p}"`);
    expect(patched).toContain('"github.com/go-acme/lego/v5/providers/dns/cloudflare"');
    expect(patched).toContain('return route53.NewDNSProvider()');
  });

  it('answers an unserved provider by name with an error that names its missing SDK', () => {
    expect(patched).not.toMatch(new RegExp(`return (${unserved.join('|')})\\.NewDNSProvider`));
    expect(patched).toContain('its SDK (github.com/ucloud/ucloud-sdk-go) is not served');
    expect(patched.match(/is not in this Traefik build/g)).toHaveLength(unserved.length);
  });

  it('fails instead of building unpatched when upstream no longer has the expected text', () => {
    expect(() => patchDnsRegistry(registry(['cloudflare']))).toThrow(/no longer applies/);
  });
});

describe('build-time patch of Traefik (go-http-auth without the containous fork)', () => {
  it('challenges afresh where the fork would answer stale', () => {
    const source = 'if stale {\n\t\td.auth.RequireAuthStale(rw, req)\n\t\treturn\n\t}\n';
    expect(patchDigestAuth(source)).toBe('if stale {\n\t\td.auth.RequireAuth(rw, req)\n\t\treturn\n\t}\n');
    expect(() => patchDigestAuth('d.auth.RequireAuth(rw, req)')).toThrow(/no longer applies/);
  });
});

describe('gateway configuration', () => {
  const spec = { id: 'ab12cd34', name: 'gateway', namespace: 'team', port: 40123, pingPort: 40124 };
  const files = { apiserverUrl: 'https://127.0.0.1:6443', tokenFile: '/t/token', caFile: '/t/ca.crt' };
  const config = traefikStaticConfig(spec, files) as {
    global: Record<string, boolean>;
    entryPoints: Record<string, { address: string }>;
    providers: { kubernetesGateway: Record<string, unknown> };
  };
  const objects = gatewayObjects(spec) as { kind: string; metadata: { name: string; labels: Record<string, string> }; spec?: Record<string, unknown> }[];
  const byKind = (kind: string): (typeof objects)[number] => objects.find((o) => o.kind === kind)!;

  it('listens on loopback only, on the port the Gateway listener declares', () => {
    for (const ep of Object.values(config.entryPoints)) expect(ep.address).toMatch(/^127\.0\.0\.1:\d+$/);
    const listeners = byKind('Gateway').spec?.listeners as { port: number; protocol: string }[];
    expect(listeners).toEqual([expect.objectContaining({ port: spec.port, protocol: 'HTTP' })]);
    expect(config.entryPoints.web?.address).toBe(`127.0.0.1:${spec.port}`);
  });

  it('talks to the API server as its ServiceAccount, and never to the outside', () => {
    expect(config.providers.kubernetesGateway).toMatchObject({ endpoint: files.apiserverUrl, token: files.tokenFile, certAuthFilePath: files.caFile });
    expect(config.global).toEqual({ checkNewVersion: false, sendAnonymousUsage: false });
  });

  it('reconciles only its own GatewayClass, which names the Traefik controller', () => {
    const cls = byKind('GatewayClass');
    expect(cls.spec?.controllerName).toBe(TRAEFIK_CONTROLLER_NAME);
    expect(config.providers.kubernetesGateway.labelSelector).toBe(`${GATEWAY_ID_LABEL}=${cls.metadata.labels[GATEWAY_ID_LABEL]}`);
    expect(byKind('Gateway').spec?.gatewayClassName).toBe(cls.metadata.name);
  });

  it('may read every Gateway API kind it watches and write only their status', () => {
    const rules = gatewayClusterRole(spec).rules as { apiGroups: string[]; resources: string[]; verbs: string[] }[];
    const gatewayRules = rules.filter((r) => r.apiGroups.includes('gateway.networking.k8s.io'));
    const readable = gatewayRules.filter((r) => r.verbs.includes('watch')).flatMap((r) => r.resources);
    for (const kind of GATEWAY_API_KINDS) expect(readable).toContain(kind);
    const writes = rules.filter((r) => r.verbs.some((v) => !['get', 'list', 'watch'].includes(v)));
    expect(writes.flatMap((r) => r.resources).every((r) => r.endsWith('/status'))).toBe(true);
  });
});
