/** The kernel's typed error: `code` says what went wrong. */
export class KernelError extends Error {
  override readonly name = 'KernelError';
  constructor(
    readonly code: 'DRAIN_LIMIT' | 'HANDLER_EXISTS' | 'QUEUE_FULL',
    message: string,
  ) {
    super(message);
  }
}
