// Two peers, neither a client nor a server: each handles one name and asks the other for the
// other's. Prints both message logs and the replies' traces, and checks them: a wrong result
// exits with code 1, so running this file is a test.
// Run: npm run build && node examples/request-reply.mjs
import { exchange } from 'exchange';

const alice = exchange({ id: 'alice', handlers: { 'math.double': (msg) => msg.value * 2 } });
const bob = exchange({
  id: 'bob',
  handlers: { 'text.upper': (msg) => String(msg.value).toUpperCase() },
});
// Either side may connect; the link is symmetric. Each hello carries the sender's capabilities,
// so both know what the other handles as soon as `connect` resolves.
await alice.connect({ transport: 'local', exchange: bob });

const shout = await alice.requestMessage('text.upper', 'hello bob');
const doubled = await bob.requestMessage('math.double', 21);

for (const [who, reply] of [
  ['alice', shout],
  ['bob', doubled],
]) {
  console.log(`${who} asked ${reply.name}, ${reply.from} replied ${JSON.stringify(reply.value)}`);
  console.log(`  trace: ${hops(reply)}`);
}

for (const ex of [alice, bob]) {
  console.log(`\n${ex.id}'s message log (peer '-': none):`);
  for (const e of ex.log) {
    const env = e.envelope;
    const value = env.value === undefined ? '' : JSON.stringify(env.value);
    console.log(
      `  #${e.seq} ${e.direction.padEnd(3)} ${(e.peer ?? '-').padEnd(5)} ${env.kind} ${env.name} ${value}`,
    );
  }
}

check(shout.value === 'HELLO BOB', `alice got ${JSON.stringify(shout.value)}, not "HELLO BOB"`);
check(doubled.value === 42, `bob got ${JSON.stringify(doubled.value)}, not 42`);
check(path(shout) === 'alice → bob → alice', `text.upper trace is ${path(shout)}`);
check(path(doubled) === 'bob → alice → bob', `math.double trace is ${path(doubled)}`);
// The reply's cause is the request it answers, and the requester remembers both.
const chain = alice.trace(shout.id).map((env) => `${env.kind} ${env.name}`);
check(chain.join(', ') === 'rep text.upper, req text.upper', `alice.trace gave ${chain}`);
console.log(`\nalice.trace(reply.id): ${chain.join(' ← caused by ')}`);

alice.close();
bob.close();
console.log('ok');

/** The exchanges a message passed, in order. */
function path(env) {
  return env.trace.map((hop) => hop.ex).join(' → ');
}

/** The trace with each hop's time, in ms after the first. */
function hops(env) {
  const t0 = env.trace[0].at;
  return env.trace.map((hop) => `${hop.ex} +${hop.at - t0}ms`).join(' → ');
}

function check(ok, problem) {
  if (ok) return;
  console.error(`FAILED: ${problem}`);
  process.exit(1);
}
