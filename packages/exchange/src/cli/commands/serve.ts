import type { Command } from 'commander';
import pc from 'picocolors';
import { DEFAULT_PORT, loadConfig, type HubConfig } from '../../hub/config.js';

interface ServeFlags {
  port?: string;
  host?: string;
  id?: string;
  demo?: boolean;
  pretty?: boolean;
  logLevel?: string;
  config?: string;
}

/** `exchange serve`: run a hub (WebSocket + HTTP on one port), by default with the demo. */
export function addServe(cli: Command): void {
  cli
    .command('serve')
    .description('run a hub: WebSocket and HTTP on one port, the demo page and the dashboard slot')
    .option('-p, --port <port>', `port to listen on (env EXCHANGE_PORT, default ${DEFAULT_PORT})`)
    .option('--host <host>', 'address to bind (env EXCHANGE_HOST, default 127.0.0.1)')
    .option('--id <id>', "the hub exchange's id (env EXCHANGE_ID, default hub)")
    .option('--no-demo', 'do not run the browser ↔ server ↔ database demonstration')
    .option('--pretty', 'coloured, human-readable logs (default when stdout is a terminal)')
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent')
    .option('-c, --config <file>', 'a JSON file of settings (flags and env override it)')
    .action(async (flags: ServeFlags) => {
      const config = loadConfig(
        {
          port: flags.port,
          host: flags.host,
          id: flags.id,
          demo: flags.demo === false ? false : undefined,
          pretty: flags.pretty ?? (process.stdout.isTTY ? true : undefined),
          logLevel: flags.logLevel,
        },
        process.env,
        flags.config,
      );
      // Loaded here, not at the top: every other command starts faster without the hub and pino.
      const { createLogger } = await import('../../hub/logger.js');
      const { startHub } = await import('../../hub/hub.js');
      const { keepYoungGenerationSmall } = await import('../../hub/young-generation.js');
      keepYoungGenerationSmall(); // this process is the hub's: see young-generation.ts
      const logger = createLogger(config);
      const hub = await startHub(config, { logger });
      printWelcome(hub.url, hub.wsUrl, config);
      const stop = (signal: string) => {
        logger.info({ signal }, 'shutting down');
        void hub.close().then(() => process.exit(0));
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
}

function printWelcome(url: string, wsUrl: string, config: HubConfig): void {
  const lines = [
    '',
    pc.bold(`Exchange hub '${config.id}' is running`),
    config.demo
      ? `  demo      ${pc.cyan(url)}   (open it: the page asks the server, the server asks the database)`
      : `  page      ${pc.cyan(url)}`,
    `  websocket ${pc.cyan(wsUrl)}`,
    `  info      ${pc.cyan(url + 'info')}   dashboard ${pc.cyan(url + 'dashboard')}`,
    `  try       ${pc.dim(`curl -s ${url}info`)}`,
    `  stop      Ctrl+C`,
    '',
  ];
  process.stderr.write(lines.join('\n') + '\n');
}
