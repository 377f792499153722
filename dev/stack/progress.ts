// One line per step, so a long first build never looks hung.
const started = Date.now();

function elapsed(): string {
  return `${((Date.now() - started) / 1000).toFixed(1)}s`.padStart(7);
}

export function step(component: string, message: string): void {
  process.stderr.write(`[stack ${elapsed()}] ${component.padEnd(24)} ${message}\n`);
}

export class StackError extends Error {
  constructor(
    readonly component: string,
    readonly command: string,
    message: string,
    readonly logTail: string,
  ) {
    super(`${component}: ${message}\n  command: ${command}\n  last lines of its log:\n${indent(logTail)}`);
    this.name = 'StackError';
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}
