// `clairvoyance provenance` on commits made in a temporary git repository, each trailer
// form in use today, and its kustomize output built by the real kustomize in kubectl.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../../dev/tools/command.js';
import { kubectl } from '../../support/cluster.js';

const root = resolve(import.meta.dirname, '../../..');
let repo = '';

const git = async (...args: string[]): Promise<string> => {
  const res = await runCommand('git', args, {
    cwd: repo,
    env: {
      GIT_AUTHOR_NAME: 'Jane Doe',
      GIT_AUTHOR_EMAIL: 'jane@example.com',
      GIT_COMMITTER_NAME: 'Jane Doe',
      GIT_COMMITTER_EMAIL: 'jane@example.com',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_NOSYSTEM: '1',
    },
  });
  if (res.code !== 0) throw new Error(`git ${args.join(' ')}: ${res.stderr}`);
  return res.stdout.trim();
};

/** One commit with this message body, authored at `date`; returns its SHA. */
async function commit(subject: string, trailers: string, date: string): Promise<string> {
  await writeFile(join(repo, 'file.txt'), `${subject}\n`, { flag: 'a' });
  await git('add', 'file.txt');
  await git('-c', 'commit.gpgsign=false', 'commit', '-q', '--date', date, '-m', subject, '-m', trailers || 'No trailer here.');
  return git('rev-parse', 'HEAD');
}

const provenance = (...args: string[]) =>
  runCommand(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'provenance', '-C', repo, ...args], { cwd: root, env: { GITHUB_REF: '' } });

beforeAll(async () => {
  repo = await mkdtemp(join(tmpdir(), 'cv-provenance-'));
  await git('init', '-q', '-b', 'main');
});

afterAll(async () => {
  await rm(repo, { recursive: true, force: true });
});

describe('clairvoyance provenance', () => {
  it('gives each trailer form its origin, with commit, authored-at and change-id', async () => {
    const base = await commit('hand-written', 'Signed-off-by: Jane Doe <jane@example.com>', '2026-03-01T09:00:00Z');
    const cases: [string, string, string | undefined][] = [
      ['Generated-by: Claude Code\nChange-Id: CHG-1', 'ai-generated', 'Claude Code'],
      ['Assisted-by: GitHub Copilot', 'ai-assisted', 'GitHub Copilot'],
      ['Co-authored-by: Claude <noreply@anthropic.com>', 'ai-generated', 'Claude'],
      ['Co-authored-by: John Roe <john@example.com>', 'human', undefined],
    ];
    const out = await provenance('--git', base);
    expect(out.code, out.stderr).toBe(0);
    expect(parse(out.stdout)).toEqual({
      'clairvoyance.dev/origin': 'human',
      'clairvoyance.dev/commit': base,
      'clairvoyance.dev/authored-at': '2026-03-01T09:00:00Z',
    });
    for (const [i, [trailers, origin, generator]] of cases.entries()) {
      const sha = await commit(`change ${i}`, trailers, `2026-03-0${i + 2}T10:00:00Z`);
      const res = await provenance();
      expect(res.code, res.stderr).toBe(0);
      const a = parse(res.stdout) as Record<string, string>;
      expect(a['clairvoyance.dev/origin'], trailers).toBe(origin);
      expect(a['clairvoyance.dev/generator'], trailers).toBe(generator);
      expect(a['clairvoyance.dev/commit']).toBe(sha);
      expect(a['clairvoyance.dev/authored-at']).toBe(`2026-03-0${i + 2}T10:00:00Z`);
      if (i === 0) expect(a['clairvoyance.dev/change-id']).toBe('CHG-1');
    }
    // A range: the strongest origin of its commits, the newest commit, the earliest author time.
    const range = await provenance('--git', `${base}..HEAD`, '--pull-request', '17');
    expect(parse(range.stdout)).toMatchObject({
      'clairvoyance.dev/origin': 'ai-generated',
      'clairvoyance.dev/authored-at': '2026-03-02T10:00:00Z',
      'clairvoyance.dev/change-id': 'CHG-1',
      'clairvoyance.dev/pull-request': '17',
    });
    // A configured agent pattern counts a co-author the defaults do not know.
    const custom = await provenance('--agent-pattern', 'john roe', '--co-author-origin', 'ai-assisted');
    expect(parse(custom.stdout)['clairvoyance.dev/origin']).toBe('ai-assisted');
  });

  it('a kustomize component puts the annotations on every Deployment pod template', async () => {
    const dir = join(repo, 'deploy');
    await mkdir(join(dir, 'provenance'), { recursive: true });
    const component = await provenance('-o', 'kustomize');
    expect(component.code, component.stderr).toBe(0);
    await writeFile(join(dir, 'provenance', 'kustomization.yaml'), component.stdout);
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'shop' },
      spec: {
        selector: { matchLabels: { app: 'shop' } },
        template: { metadata: { labels: { app: 'shop' } }, spec: { containers: [{ name: 'app', image: 'x' }] } },
      },
    };
    await writeFile(join(dir, 'deployment.yaml'), JSON.stringify(deployment));
    await writeFile(join(dir, 'kustomization.yaml'), 'resources: [deployment.yaml]\ncomponents: [provenance]\n');
    const built = await kubectl(['kustomize', dir]);
    expect(built.code, built.stderr).toBe(0);
    const out = parse(built.stdout) as typeof deployment & { spec: { template: { metadata: { annotations: Record<string, string> } } } };
    expect(out.metadata.name).toBe('shop');
    expect(out.spec.template.metadata.annotations['clairvoyance.dev/origin']).toBe('human');
    expect(out.spec.template.metadata.annotations['clairvoyance.dev/commit']).toMatch(/^[0-9a-f]{40}$/);

    const patch = await provenance('-o', 'patch');
    expect(JSON.parse(patch.stdout).spec.template.metadata.annotations['clairvoyance.dev/origin']).toBe('human');
  });
});
