// The Exchange hub (ours) in a process of its own, as `exchange serve` runs it (WebSocket and HTTP
// on one port), without the demo and without logs: it reports its port over IPC and exits when
// the runner goes away.
import { distUrl } from '../dist.mjs';

const dist = distUrl();
const { startHub } = await import(new URL('hub/hub.js', dist).href);
const { DEFAULTS } = await import(new URL('hub/config.js', dist).href);
const { keepYoungGenerationSmall } = await import(new URL('hub/young-generation.js', dist).href);

keepYoungGenerationSmall(); // as `exchange serve` does for its process

const hub = await startHub({ ...DEFAULTS, port: 0, demo: false, logLevel: 'silent' });
process.send({ type: 'listening', port: hub.port });
process.on('disconnect', () => void hub.close().then(() => process.exit(0)));
