// Serializes an on-demand build across processes: test files run in parallel workers,
// and two cold builds of one binary would share one output (and twice the memory).
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from './paths.js';

/** Longer than any cold build seen: an older lock is a crashed builder's even if its pid was reused. */
const STALE_LOCK_MS = 60 * 60 * 1000;

export async function withBuildLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const dir = join(cacheDir, 'bin');
  mkdirSync(dir, { recursive: true });
  const lock = join(dir, `${name}-build.lock`);
  for (;;) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (isStale(lock)) rmSync(lock, { force: true });
      else await new Promise((r) => setTimeout(r, 1_000));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

/** The holder has exited (its pid is gone) or has held it for longer than any build takes. */
function isStale(lock: string): boolean {
  try {
    if (Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) return true;
    const pid = Number(readFileSync(lock, 'utf8'));
    if (!Number.isInteger(pid) || pid <= 0) return false; // being written: look again
    process.kill(pid, 0);
    return false;
  } catch (err) {
    // ESRCH: no such holder. ENOENT: released between the two calls, the next attempt takes it.
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
