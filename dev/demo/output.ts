// Terminal output for the demo: colour only on a terminal.
const tty = process.stdout.isTTY === true;
const paint = (code: number) => (s: string) => (tty ? `\x1b[${code}m${s}\x1b[0m` : s);

export const c = { green: paint(32), red: paint(31), yellow: paint(33), cyan: paint(36), dim: paint(2), bold: paint(1) };

export function section(title: string): void {
  process.stdout.write(`\n${c.bold(c.cyan(`── ${title} `.padEnd(78, '─')))}\n`);
}

export function say(line: string): void {
  process.stdout.write(`${line}\n`);
}
