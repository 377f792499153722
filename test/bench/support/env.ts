// Benchmark settings from the environment. A bad value stops the run before any work, with
// the variable's name and an example, rather than a NaN deep inside an hours-long run.

/** A comma-separated list of positive integers, e.g. BENCH_ROLLOUTS=1000,5000. */
export function envIntegers(name: string, fallback: string, example: string): number[] {
  const raw = process.env[name] ?? fallback;
  const values = raw.split(',').filter(Boolean).map(Number);
  if (values.length === 0 || !values.every((v) => Number.isInteger(v) && v > 0))
    throw new Error(`${name}=${raw}: expected positive integers separated by commas, e.g. ${name}=${example}`);
  return values;
}

/** One positive integer. */
export function envInteger(name: string, fallback: number): number {
  return envPositive(name, fallback, 'one positive integer', Number.isInteger);
}

/** One positive number (fractions allowed), e.g. a duration in seconds or minutes. */
export function envNumber(name: string, fallback: number): number {
  return envPositive(name, fallback, 'a positive number', Number.isFinite);
}

function envPositive(name: string, fallback: number, expected: string, valid: (v: number) => boolean): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!valid(value) || value <= 0) throw new Error(`${name}=${raw}: expected ${expected}, e.g. ${name}=${fallback}`);
  return value;
}

/** One of a fixed set of words. */
export function envChoice<T extends string>(name: string, fallback: T, choices: readonly T[], meaning: string): T {
  const raw = process.env[name] ?? fallback;
  if (!(choices as readonly string[]).includes(raw)) throw new Error(`${name}=${raw}: expected ${choices.join(' or ')} (${meaning})`);
  return raw as T;
}

/** A comma-separated subset of a fixed set of words. */
export function envChoices<T extends string>(name: string, fallback: string, choices: readonly T[]): T[] {
  const raw = process.env[name] ?? fallback;
  const values = raw.split(',').filter(Boolean);
  const unknown = values.filter((v) => !(choices as readonly string[]).includes(v));
  if (values.length === 0 || unknown.length > 0)
    throw new Error(`${name}=${raw}: ${unknown.length > 0 ? `unknown ${unknown.join(', ')}; ` : ''}expected any of ${choices.join(', ')}, separated by commas`);
  return values as T[];
}
