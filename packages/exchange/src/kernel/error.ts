/** The kernel's typed error: `code` says what went wrong. */
export class KernelError extends Error {
  override readonly name = 'KernelError';
  constructor(
    readonly code: 'DRAIN_LIMIT' | 'HANDLER_EXISTS',
    message: string,
  ) {
    super(message);
  }
}
