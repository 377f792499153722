// The runtime logs through this structural subset of pino's Logger so the
// modules here do not depend on how telemetry is wired; a pino Logger fits it.
export interface KubeLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

const noop = (): void => {};

export const silentLogger: KubeLogger = { debug: noop, info: noop, warn: noop, error: noop };
