// Shared reactive state across three exchanges, and `why` explaining a value: a sensor sends a
// reading; the processor's handler stores it with ctx.set and exports it; the dashboard imports
// it into its own state, where a computed turns it into processedData. Then the dashboard asks
// why processedData changed, and gets the chain back to the sensor's message.
// Checks its own answer: a wrong chain exits with code 1, so running this file is a test.
// Run: npm run build && node examples/reactive-why.mjs
import { exchange, formatWhy } from 'exchange';

const sensor = exchange({ id: 'sensor' });
const processor = exchange({
  id: 'processor',
  state: { raw: 200 },
  exports: ['raw'],
  handlers: { 'sensor.reading': (msg, ctx) => ctx.set('raw', msg.value) },
});
const dashboard = exchange({
  id: 'dashboard',
  state: { raw: 0, processedData: ($) => ({ celsius: $.raw / 10 }) },
  imports: { raw: 'processor.raw' },
});

await sensor.connect({ transport: 'local', exchange: processor });
await processor.connect({ transport: 'local', exchange: dashboard });
// The import fetched the processor's current value (and subscribed to its changes).
await until(dashboard, 'raw', 200);
console.log(`dashboard imported raw = ${dashboard.state.raw}`);

const reading = sensor.send('sensor.reading', 215);
await until(dashboard, 'raw', 215);
console.log(`processedData is now ${JSON.stringify(dashboard.state.processedData)}`);

const why = dashboard.why('processedData');
console.log(`\n${formatWhy(why)}\n`);

const cause = why.causes[0];
const path = cause?.trace.map((hop) => hop.ex).join(' → ');
const origin = cause?.chain.at(-1);
check(why.kind === 'computed', `kind is ${why.kind}`);
check(
  JSON.stringify(why.transaction?.triggers) === '[{"name":"raw","value":215}]',
  `triggers are ${JSON.stringify(why.transaction?.triggers)}`,
);
check(why.causes.length === 1 && cause.state === 'raw', `causes: ${JSON.stringify(why.causes)}`);
check(cause.imported?.exchange === 'processor', 'raw is not shown as imported from processor');
check(
  cause.message?.name === '$exchange.state.value.processor.raw',
  `message ${cause.message?.name}`,
);
check(path === 'sensor → processor → dashboard', `trace is ${path}`);
check(
  origin?.id === reading.id && origin.name === 'sensor.reading',
  'chain does not end at the reading',
);
console.log(`why: processedData ← raw ← ${origin.name} ${origin.value} sent by ${origin.from}`);

for (const ex of [sensor, processor, dashboard]) ex.close();
console.log('ok');

/** Resolve once `ex.state[name]` is `value`; exit 1 after two seconds. */
function until(ex, name, value) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => check(false, `${ex.id}.${name} never became ${value}`), 2000);
    const off = ex.watch(name, (v) => {
      if (v !== value) return;
      clearTimeout(timer);
      queueMicrotask(() => off());
      resolve();
    });
  });
}

function check(ok, problem) {
  if (ok) return;
  console.error(`FAILED: ${problem}`);
  process.exit(1);
}
