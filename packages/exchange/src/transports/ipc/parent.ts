import { parentPort } from 'node:worker_threads';
import { ExchangeError } from '../../exchange/index.js';
import { CreditCarrier } from './credit-carrier.js';
import { DEFAULT_WINDOW, IpcLink, linkInit, opened, type IpcLinkOptions } from './ipc-link.js';
import { parentThreadPort, processPort, type Port } from './ports.js';

/** Options of `ex.connect({ transport: 'ipc', parent: true })` in a child process or worker. */
export interface IpcParentOptions extends IpcLinkOptions {
  /** Connect to the process or thread that started this one. */
  parent: true;
  script?: never;
}

/** The one channel to the parent is used by one link at a time. */
let inUse = false;

/**
 * In a child process started with `fork` or a worker thread: link to the parent, which started
 * this one with `ex.connect({ transport: 'ipc', script })`. The link closes when the parent
 * goes (or closes it).
 * @param options - the link's options.
 * @returns the link, once the parent has answered.
 * @throws {ExchangeError} `TRANSPORT_CLOSED` if there is no parent channel (not forked, not a
 *   worker), it is in use by another link, or the parent does not answer in time.
 */
export async function connectToParent(options: IpcParentOptions): Promise<IpcLink> {
  const port = parentChannel();
  inUse = true;
  const carrier = new CreditCarrier(port, {
    window: options.window ?? DEFAULT_WINDOW,
    answer: false,
  });
  try {
    await opened(carrier, options, 'the parent');
  } catch (e) {
    inUse = false;
    throw e;
  }
  const link = new IpcLink(
    linkInit('initiator', options, () => (inUse = false)),
    carrier,
  );
  link.use(carrier);
  return link;
}

function parentChannel(): Port {
  if (inUse) {
    throw new ExchangeError('TRANSPORT_CLOSED', 'the channel to the parent is already linked');
  }
  if (parentPort) return parentThreadPort(parentPort);
  if (process.send && process.connected) return processPort();
  throw new ExchangeError(
    'TRANSPORT_CLOSED',
    'no parent channel: this is neither a worker thread nor a child process started with ' +
      "ex.connect({ transport: 'ipc', script }) (or its channel is closed)",
  );
}
