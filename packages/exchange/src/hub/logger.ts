/** Structured logs (pino): JSON lines by default, a coloured one-line-per-event mode for terminals. */
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { HubConfig } from './config.js';

export type { Logger } from 'pino';

/** The hub's logger, writing to `destination` (stdout by default). */
export function createLogger(
  config: Pick<HubConfig, 'pretty' | 'logLevel' | 'id'>,
  destination: NodeJS.WritableStream = process.stdout,
): Logger {
  const options = { level: config.logLevel, base: { hub: config.id } };
  if (!config.pretty) return pino(options, destination);
  return pino(
    options,
    pretty({
      destination,
      colorize: true,
      ignore: 'pid,hostname,hub',
      translateTime: 'HH:MM:ss.l',
    }),
  );
}
