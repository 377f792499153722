// Runs after every integration file: `stack:down` must leave nothing of the real node
// behind — no process, container, mount, network namespace, bridge or iptables rule —
// nor any gateway a test started.
// A stack that was already running before the suite is started again afterwards.
import { describe, expect, it } from 'vitest';
import { gatewayLeftovers } from '../../dev/stack/gateway-processes.js';
import { bridgeExists, kubeChains, leftovers } from '../../dev/stack/node-cleanup.js';
import { down, readState, up } from '../../dev/stack/stack.js';

describe('stack:down', () => {
  it('leaves no process, container, mount, netns, bridge or rule of the real node', { timeout: 300_000 }, async () => {
    const state = readState();
    expect(state?.realNodeWanted, 'the suite ran without its real node').toBe(true);
    // Before: the node is there, so the check below is not vacuous.
    expect(bridgeExists()).toBe(true);
    expect(kubeChains().length).toBeGreaterThan(0);
    await down({ quiet: true });
    expect(leftovers()).toEqual([]);
    // Gateways (Traefik) are started by tests, outside `stack:up`: `down` stops them too.
    expect(gatewayLeftovers()).toEqual([]);
    expect(readState()).toBeUndefined();
    if (process.env.CLAIRVOYANCE_STACK_KEEP_AFTER_SUITE === '1') await up();
  });
});
