// One stack at a time runs the real node: the bridge, its address, the relay port and
// kube-proxy's rules are machine-wide. The owner's stack directory is recorded here.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BRIDGE } from './node-config.js';
import { stackDir } from './paths.js';
import { StackError } from './progress.js';

/**
 * The bridge, its address, the relay port and kube-proxy's rules are machine-wide: one
 * stack at a time may run the real node. The owner's stack directory is recorded here.
 */
export const OWNER_FILE = '/run/clairvoyance-real-node.owner';

export function ownerOfNode(): string | undefined {
  try {
    const owner = readFileSync(OWNER_FILE, 'utf8').trim();
    // An owner whose stack is gone (no state file) left a stale claim.
    return existsSync(join(owner, 'state.json')) ? owner : undefined;
  } catch {
    return undefined;
  }
}

export function claimNode(): void {
  const owner = ownerOfNode();
  if (owner && owner !== stackDir) {
    throw new StackError(
      'real node',
      `cat ${OWNER_FILE}`,
      `the stack in ${owner} runs the real node on this machine (bridge ${BRIDGE}); stop it first, or start this one with STACK_NODES=kwok`,
      '',
    );
  }
  writeFileSync(OWNER_FILE, `${stackDir}\n`);
}
