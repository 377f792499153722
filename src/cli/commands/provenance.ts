import type { Command } from 'commander';
import { readCommits } from '../../provenance/git.js';
import { PROVENANCE_FORMATS, renderProvenance, type ProvenanceFormat } from '../../provenance/render.js';
import { DEFAULT_AGENT_PATTERNS, DEFAULT_CHANGE_ID_TRAILER, provenanceAnnotations } from '../../provenance/trailers.js';

interface ProvenanceFlags {
  git: string;
  repo: string;
  output: string;
  agentPattern: string[];
  defaultAgentPatterns: boolean;
  changeIdTrailer: string;
  coAuthorOrigin: string;
  pullRequest?: string;
}

/** A pull request number from the CI environment, when the flag does not give one. */
function pullRequestFromEnv(env: NodeJS.ProcessEnv): string | undefined {
  const ref = /^refs\/pull\/(\d+)\//.exec(env.GITHUB_REF ?? '');
  return ref?.[1] ?? env.CI_MERGE_REQUEST_IID ?? undefined;
}

export function registerProvenance(program: Command): void {
  program
    .command('provenance')
    .description('the clairvoyance.dev/* annotations for a commit (or range), with the origin read from its trailers')
    .option('--git <rev>', 'a commit, or a range A..B for each of its commits', 'HEAD')
    .option('-C, --repo <dir>', 'the git repository', '.')
    .option('-o, --output <format>', PROVENANCE_FORMATS.join(', '), 'annotations')
    .option('--agent-pattern <regex...>', 'more coding agents a Co-authored-by trailer may name (case-insensitive)', [])
    .option('--no-default-agent-patterns', `do not use the built-in agent patterns (${DEFAULT_AGENT_PATTERNS.join(', ')})`)
    .option('--change-id-trailer <key>', 'trailer holding the change-id', DEFAULT_CHANGE_ID_TRAILER)
    .option('--co-author-origin <origin>', 'origin of a commit co-authored by an agent: ai-generated or ai-assisted', 'ai-generated')
    .option('--pull-request <n>', 'pull request (default: from GITHUB_REF or CI_MERGE_REQUEST_IID); also the change-id when no trailer gives one')
    .action(async (flags: ProvenanceFlags) => {
      if (!(PROVENANCE_FORMATS as readonly string[]).includes(flags.output))
        throw new Error(`--output must be one of ${PROVENANCE_FORMATS.join(', ')}, got "${flags.output}"`);
      if (flags.coAuthorOrigin !== 'ai-generated' && flags.coAuthorOrigin !== 'ai-assisted')
        throw new Error(`--co-author-origin must be ai-generated or ai-assisted, got "${flags.coAuthorOrigin}"`);
      const agentPatterns = [...(flags.defaultAgentPatterns ? DEFAULT_AGENT_PATTERNS : []), ...flags.agentPattern];
      for (const p of agentPatterns) {
        try {
          new RegExp(p, 'i');
        } catch (err) {
          throw new Error(`--agent-pattern ${JSON.stringify(p)} is not a regular expression: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      const pullRequest = flags.pullRequest ?? pullRequestFromEnv(process.env);
      const commits = await readCommits(flags.git, flags.repo);
      const annotations = provenanceAnnotations(commits, {
        agentPatterns,
        changeIdTrailer: flags.changeIdTrailer,
        coAuthorOrigin: flags.coAuthorOrigin,
        ...(pullRequest ? { pullRequest } : {}),
      });
      process.stdout.write(renderProvenance(annotations, flags.output as ProvenanceFormat));
    });
}
