// `npx tsx dev/tools/build-peers.ts [argo-rollouts] [kyverno]`: builds (or finds cached)
// the peers of the side-by-side benchmarks and prints their paths. The benchmarks call
// the same resolvers themselves; this entry point only lets a cold build be timed alone.
import { resolveArgoRollouts, resolveKyverno } from '../stack/binaries.js';

const wanted = process.argv.slice(2);
const all = wanted.length === 0;
if (all || wanted.includes('argo-rollouts')) process.stdout.write(`argo-rollouts: ${await resolveArgoRollouts()}\n`);
if (all || wanted.includes('kyverno')) process.stdout.write(`kyverno: ${await resolveKyverno()}\n`);
