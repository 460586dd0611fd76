/** Exit codes scripts can rely on (docs/cli.md). */
export const EXIT = Object.freeze({
  ok: 0,
  failure: 1,
  usage: 2,
  noRoute: 3,
  timeout: 4,
  remote: 5,
  unreachable: 6,
  config: 7,
});

/** The exit code for an error: by its typed code where it has one. */
export function exitCodeOf(e: unknown): number {
  const code = (e as { code?: unknown } | null)?.code;
  switch (code) {
    case 'NO_ROUTE':
      return EXIT.noRoute;
    case 'TIMEOUT':
      return EXIT.timeout;
    case 'REMOTE':
      return EXIT.remote;
    case 'TRANSPORT_CLOSED':
    case 'PORT_IN_USE':
    case 'BIND_FAILED':
      return EXIT.unreachable;
    case 'BAD_CONFIG':
      return EXIT.config;
    case 'INVALID_NAME':
    case 'BAD_JSON':
      return EXIT.usage;
    default:
      return EXIT.failure;
  }
}
