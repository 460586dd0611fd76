// The hub and responder of the request scenario in an IPC child: linked to its parent (the
// requester) with `transport: 'ipc'`.
import { hubWithResponder } from './network.mjs';

const { hub } = await hubWithResponder();
await hub.connect({ transport: 'ipc', parent: true });
