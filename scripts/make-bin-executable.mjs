// tsc does not keep the executable bit; the bin entry must be runnable after build.
import { chmodSync } from 'node:fs';
chmodSync(new URL('../dist/cli/main.js', import.meta.url), 0o755);
