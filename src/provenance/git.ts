// Reads commits and their trailers from a git repository.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parseTrailers, type CommitInfo } from './trailers.js';

const run = promisify(execFile);
const FIELD = '\x1f';
const RECORD = '\x1e';

/** A revision (HEAD, a SHA) is one commit; a range (A..B) is each of its commits, newest first. */
export async function readCommits(rev: string, cwd: string): Promise<CommitInfo[]> {
  const range = rev.includes('..');
  const args = ['log', `--format=%H${FIELD}%aI${FIELD}%(trailers:only,unfold)${RECORD}`, ...(range ? [] : ['-n', '1']), rev, '--'];
  let stdout: string;
  try {
    ({ stdout } = await run('git', args, { cwd, maxBuffer: 64 * 1024 * 1024 }));
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw new Error(`git log ${rev} failed in ${cwd}: ${stderr || (err instanceof Error ? err.message : String(err))}`);
  }
  const commits = stdout
    .split(RECORD)
    .map((r) => r.replace(/^\n/, ''))
    .filter((r) => r.trim() !== '')
    .map((r) => {
      const [sha = '', authoredAt = '', trailers = ''] = r.split(FIELD);
      return { sha, authoredAt, trailers: parseTrailers(trailers) };
    });
  if (commits.length === 0) throw new Error(`no commits in ${rev}`);
  return commits;
}
