/**
 * The hub's configuration: defaults, then an optional JSON config file, then environment
 * variables, then flags (each later source wins), validated into typed values with errors that
 * say which source and field is wrong.
 */
import { readFileSync } from 'node:fs';

/** The hub's default port: not NATS's 4222, and free of the usual development ports. */
export const DEFAULT_PORT = 4860;

export interface HubConfig {
  /** The hub exchange's id. */
  id: string;
  /** Address to bind; loopback unless you open it up. */
  host: string;
  port: number;
  /** Run the founding demonstration (browser ↔ server ↔ database) on the hub. */
  demo: boolean;
  /** Pretty, coloured logs for a terminal (else JSON lines). */
  pretty: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Largest message accepted from a peer, in bytes. */
  maxBytes: number;
  /** Heartbeat interval proposed to peers, in ms (0: none). */
  heartbeat: number;
  /** Messages kept in the hub's log (and for SSE resume). */
  logSize: number;
  /** Estimated bytes the hub's log keeps; a value over a sixteenth of it is logged without it. */
  logMaxBytes: number;
  /**
   * A WebSocket or HTTP peer whose link stays full this many ms is a slow consumer: it is sent a
   * `bye` with `CONGESTED` and disconnected (0: never). docs/transports.md, "Slow consumers".
   */
  slowConsumerTimeout: number;
}

/** Where a setting came from, for error messages: `default`, `env`, `flag` or `file <path>`. */
export type ConfigSource = string;

/** A setting that does not validate: which one, from where, and why. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'BAD_CONFIG';
  constructor(
    readonly field: string,
    readonly source: ConfigSource,
    message: string,
  ) {
    super(`${field} (from ${source}): ${message}`);
  }
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const DEFAULTS: HubConfig = Object.freeze({
  id: 'hub',
  host: '127.0.0.1',
  port: DEFAULT_PORT,
  demo: true,
  pretty: false,
  logLevel: 'info',
  maxBytes: 1_048_576,
  heartbeat: 15_000,
  logSize: 10_000,
  logMaxBytes: 64 * 1024 * 1024,
  slowConsumerTimeout: 10_000,
});

/** Environment variable for each field. */
export const ENV: Record<keyof HubConfig, string> = {
  id: 'EXCHANGE_ID',
  host: 'EXCHANGE_HOST',
  port: 'EXCHANGE_PORT',
  demo: 'EXCHANGE_DEMO',
  pretty: 'EXCHANGE_PRETTY',
  logLevel: 'EXCHANGE_LOG_LEVEL',
  maxBytes: 'EXCHANGE_MAX_BYTES',
  heartbeat: 'EXCHANGE_HEARTBEAT',
  logSize: 'EXCHANGE_LOG_SIZE',
  logMaxBytes: 'EXCHANGE_LOG_MAX_BYTES',
  slowConsumerTimeout: 'EXCHANGE_SLOW_CONSUMER_TIMEOUT',
};

type Raw = Partial<Record<keyof HubConfig, unknown>>;

/**
 * Merge the sources and validate.
 * @param flags - values from the command line (already split by the CLI parser).
 * @param env - the environment. @default process.env
 * @param file - a JSON config file path, if any.
 * @throws {ConfigError} naming the first bad field and its source.
 */
export function loadConfig(
  flags: Raw = {},
  env: Record<string, string | undefined> = process.env,
  file?: string,
): HubConfig {
  const layers: [ConfigSource, Raw][] = [['default', DEFAULTS]];
  if (file !== undefined) layers.push([`file ${file}`, readConfigFile(file)]);
  const fromEnv: Raw = {};
  for (const [field, name] of Object.entries(ENV) as [keyof HubConfig, string][]) {
    if (env[name] !== undefined && env[name] !== '') fromEnv[field] = env[name];
  }
  layers.push(['env', fromEnv], ['flag', flags]);
  const out = { ...DEFAULTS } as Record<string, unknown>;
  for (const [source, raw] of layers) {
    for (const [field, value] of Object.entries(raw)) {
      if (value === undefined) continue;
      if (!(field in DEFAULTS)) throw new ConfigError(field, source, 'unknown setting');
      out[field] = check(field as keyof HubConfig, value, source);
    }
  }
  return out as unknown as HubConfig;
}

function readConfigFile(path: string): Raw {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError('config', path, `cannot read: ${(e as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new ConfigError('config', path, `not valid JSON: ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new ConfigError('config', path, 'must be a JSON object of settings');
  return parsed;
}

function check(field: keyof HubConfig, value: unknown, source: string): unknown {
  switch (field) {
    case 'id':
      if (typeof value === 'string' && /^[\w-]{1,64}$/.test(value)) return value;
      throw new ConfigError(field, source, `must be 1-64 letters, digits, '_' or '-'`);
    case 'host':
      if (typeof value === 'string' && value.length > 0) return value;
      throw new ConfigError(field, source, 'must be a host name or address');
    case 'port':
      return integer(field, value, source, 0, 65_535);
    case 'maxBytes':
      return integer(field, value, source, 65_536, 256 * 1024 * 1024);
    case 'heartbeat':
    case 'slowConsumerTimeout':
      return integer(field, value, source, 0, 3_600_000);
    case 'logSize':
      return integer(field, value, source, 1, 10_000_000);
    case 'logMaxBytes':
      return integer(field, value, source, 1024, 16 * 1024 * 1024 * 1024);
    case 'demo':
    case 'pretty':
      return boolean(field, value, source);
    case 'logLevel':
      if (typeof value === 'string' && (LEVELS as readonly string[]).includes(value)) return value;
      throw new ConfigError(field, source, `must be one of ${LEVELS.join(', ')}`);
  }
}

function integer(field: string, value: unknown, source: string, min: number, max: number) {
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max) return n;
  throw new ConfigError(
    field,
    source,
    `must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`,
  );
}

function boolean(field: string, value: unknown, source: string) {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === '1' || value === 'yes') return true;
  if (value === 'false' || value === '0' || value === 'no') return false;
  throw new ConfigError(field, source, `must be true or false, got ${JSON.stringify(value)}`);
}
