// The founding demonstration: three in-process exchanges, browser — server — database. The
// browser asks for users; the server's handler asks the database on the request's behalf; the
// reply carries the whole route back. Then a typed error and `$exchange.info`. Every result is
// checked: a wrong one exits with code 1, so running this file is a test.
// Run: npm run build && node examples/browser-server-database.mjs
import { exchange, isExchangeError } from 'exchange';

const USERS = [
  { id: 1, name: 'ada' },
  { id: 2, name: 'linus' },
];

const database = exchange({
  id: 'database',
  handlers: { 'db.query': (msg) => USERS.filter((u) => u.name.startsWith(msg.value.prefix)) },
});
const server = exchange({
  id: 'server',
  handlers: {
    // `ctx.request` makes the incoming request the cause of the query, and the reply to the
    // browser continues the query's trace.
    'users.list': async (msg, ctx) => {
      const rows = await ctx.request('db.query', { prefix: msg.value ?? '' });
      return rows.map((u) => u.name);
    },
  },
});
const browser = exchange({ id: 'browser' });
// The browser is not connected to the database: the server routes between them.
await browser.connect({ transport: 'local', exchange: server });
await server.connect({ transport: 'local', exchange: database });

const reply = await browser.requestMessage('users.list');
console.log(`browser asked users.list → ${JSON.stringify(reply.value)}`);
const route = reply.trace.map((hop) => hop.ex).join(' → ');
console.log(`trace: ${route}`);
check(JSON.stringify(reply.value) === '["ada","linus"]', `reply ${JSON.stringify(reply.value)}`);
check(route === 'browser → server → database → server → browser', `trace ${route}`);

for (const ex of [browser, server, database]) {
  console.log(`\n${ex.id} log (peer '-': none):`);
  for (const { seq, direction, peer, envelope: env } of ex.log) {
    console.log(
      `  #${seq} ${direction.padEnd(3)} ${(peer ?? '-').padEnd(8)} ${env.kind} ${env.name}`,
    );
  }
}

// Causes: the server finds the database's reply in its log and walks back from it.
const [dbReply] = server.log.query({ pattern: 'db.*', direction: 'in' });
const chain = server
  .trace(dbReply.envelope.id)
  .map((env) => `${env.kind} ${env.name} (${env.from})`);
console.log(`\nserver.trace(database's reply): ${chain.join(' ← ')}`);
check(
  chain.join(' ← ') ===
    'rep db.query (database) ← req db.query (server) ← req users.list (browser)',
  `server's causal chain ${chain.join(' ← ')}`,
);

// A typed error: nothing in the network handles billing.charge, and the browser knows at once.
const error = await browser.request('billing.charge', { cents: 100 }).then(
  () => undefined,
  (e) => e,
);
console.log(`\nbilling.charge → ${error?.name} ${error?.code}: ${error?.message}`);
check(isExchangeError(error, 'NO_ROUTE'), `billing.charge gave ${error}, not NO_ROUTE`);

// `$exchange.info` is answered by the exchange it is addressed to (`to`), here two hops away.
const info = await browser.request('$exchange.info', undefined, { to: 'database' });
console.log(`$exchange.info from database: peers ${info.peers}, handles ${info.handles}`);
check(info.id === 'database' && info.handles.includes('db.query'), 'database info');
const { id, peers, handles, counters } = server.describe();
console.log(
  `server.describe(): ${JSON.stringify({ id, peers, handles, pending: counters.pending })}`,
);
check(peers.length === 2 && counters.pending === 0, 'server describe');

for (const ex of [browser, server, database]) ex.close();
console.log('ok');

function check(ok, problem) {
  if (ok) return;
  console.error(`FAILED: ${problem}`);
  process.exit(1);
}
