// Writes the wire protocol's test vectors, spec/vectors/{json,msgpack,msgpack-compact,handshake}.json, from the
// cases below: `node packages/exchange/test/wire/generate-vectors.mjs`. The files are the
// contract (clients in other languages read them); this script only saves typing them by hand.
// It uses plain JSON.stringify and plain msgpackr, not the codecs under test, and every expected
// result below is written by hand. Review the diff of spec/vectors/ after running it.
import { writeFileSync } from 'node:fs';
import { Packr } from 'msgpackr';
import * as prettier from 'prettier';

const OUT = new URL('../../../../spec/vectors/', import.meta.url);
const T = 1767225600000; // 2026-01-01T00:00:00Z

// Standard, compact MessagePack (fixmap/fixstr where they fit, no msgpackr records).
const packr = new Packr({ useRecords: false, variableMapSize: true });
const b64 = (bytes) => Buffer.from(bytes).toString('base64');
const mp = (value) => b64(packr.pack(value));
const hex = (s) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

const hop = (ex, at) => ({ ex, at });
const env = (fields = {}) => ({
  id: 'app:m3x9.0:1',
  kind: 'msg',
  name: 'orders.created',
  value: { order: 'o-1', total: 12.5 },
  from: 'app',
  ts: T,
  trace: [hop('app', T)],
  ...fields,
});
const msg = (fields = {}, mode = 1) => ({ t: 'msg', mode, env: env(fields) });
const without = (obj, key) => Object.fromEntries(Object.entries(obj).filter(([k]) => k !== key));
const msgWithout = (key) => ({ t: 'msg', mode: 1, env: without(env(), key) });
const ping = { t: 'ping', n: 1 };
const hello = (fields = {}) => ({
  t: 'hello',
  protocol: 1,
  id: 'browser-1',
  adverts: [],
  ...fields,
});
const repeat = (n, f) => Array.from({ length: n }, (_, i) => f(i));
const longName = repeat(16, (i) => `${'abcdefghijklmno'[i % 15]}${'x'.repeat(14)}`).join('.'); // 255 chars
const name256 = `${longName}y`;

/** Valid batches both codecs must decode to exactly these frames. */
const VALID = [
  ['hello-minimal', 'The smallest hello: version, id, no adverts.', [hello()]],
  [
    'hello-initiator',
    'An initiator hello with every optional field an initiator sends.',
    [
      hello({
        instance: 'm3x9k2.0',
        adverts: [{ k: 'o', p: 'chat.>', d: 0 }],
        codecs: ['msgpack', 'json'],
        credentials: { token: 'opaque-token' },
        heartbeat: 15000,
        maxBytes: 1048576,
        maxFrames: 1024,
        agent: 'exchange-js/0.1.0',
      }),
    ],
  ],
  [
    'hello-leaf',
    'A client that is a leaf on this connection: it relays for no one, so the acceptor tells it no routes learned from other leaves.',
    [hello({ adverts: [{ k: 'o', p: 'chat.>', d: 0 }], codecs: ['json'], leaf: true })],
  ],
  [
    'hello-acks',
    'A side that acknowledges what it receives and asks to be acknowledged at least every 256 messages (section 5.6).',
    [hello({ acks: 256 })],
  ],
  [
    'hello-acceptor',
    "An acceptor's hello: its routes (its own id as an `n` advert) and the chosen codec.",
    [
      {
        t: 'hello',
        protocol: 1,
        id: 'hub',
        adverts: [
          { k: 'n', p: 'hub', d: 0 },
          { k: 'h', p: 'db.query', d: 1 },
        ],
        codec: 'msgpack',
        heartbeat: 0,
      },
    ],
  ],
  [
    'adv-changes',
    'Adverts of every kind: patterns with * and >, a withdrawal (d null), distances 0 and 16.',
    [
      {
        t: 'adv',
        adverts: [
          { k: 'h', p: 'db.*.query', d: 0 },
          { k: 'o', p: 'chat.>', d: 3 },
          { k: 'o', p: '>', d: 16 },
          { k: 'n', p: 'worker_7-b', d: 2 },
          { k: 'h', p: 'old.name', d: null },
        ],
      },
    ],
  ],
  ['adv-empty', 'An adv with no adverts is a no-op, not an error.', [{ t: 'adv', adverts: [] }]],
  ['msg-one-way', 'A one-way message to one handler.', [msg()]],
  [
    'msg-no-value',
    'A message sent without a value has no value field.',
    [{ t: 'msg', mode: 2, env: without(env(), 'value') }],
  ],
  [
    'msg-request',
    'A request with a deadline, failover policy, balance key and headers, for handler and observers.',
    [
      msg(
        {
          id: 'app:m3x9.0:2',
          kind: 'req',
          name: 'db.query',
          value: { sql: 'select 1' },
          headers: { 'content-type': 'application/json', tenant: 'acme' },
          deadline: T + 5000,
          failover: 'retry',
          key: 'user-42',
        },
        3,
      ),
    ],
  ],
  [
    'msg-reply',
    'A reply: to, corr, cause, and a trace that continues the request’s, with start at the answerer.',
    [
      msg({
        id: 'db:m3x2.0:7',
        kind: 'rep',
        name: 'db.query',
        value: [[1]],
        from: 'db',
        to: 'app',
        ts: T + 3,
        trace: [hop('app', T), hop('hub', T + 1), hop('db', T + 2), hop('hub', T + 4)],
        start: 2,
        cause: 'app:m3x9.0:2',
        corr: 'app:m3x9.0:2',
      }),
    ],
  ],
  [
    'msg-error',
    'An error reply from a handler; no value.',
    [
      {
        t: 'msg',
        mode: 1,
        env: without(
          env({
            id: 'db:m3x2.0:8',
            kind: 'err',
            name: 'db.query',
            from: 'db',
            to: 'app',
            corr: 'app:m3x9.0:2',
            error: {
              code: 'FORBIDDEN',
              message: 'no access to table users',
              data: { table: 'users' },
            },
            errorSource: 'handler',
          }),
          'value',
        ),
      },
    ],
  ],
  [
    'msg-error-relayed',
    'An error a handler relayed: code REMOTE with the original code nested in data.',
    [
      msg({
        kind: 'err',
        to: 'app',
        corr: 'app:m3x9.0:3',
        error: {
          code: 'REMOTE',
          message: 'no such user',
          data: { remoteCode: 'E_USER', data: { id: 7 } },
        },
        errorSource: 'handler',
      }),
    ],
  ],
  [
    'msg-router-error',
    'An error from the network, with an error code this side may not know.',
    [
      msg({
        kind: 'err',
        to: 'app',
        corr: 'app:m3x9.0:4',
        error: { code: 'SOME_FUTURE_CODE', message: 'from a newer peer' },
        errorSource: 'router',
      }),
    ],
  ],
  [
    'msg-system-name',
    'A reserved $exchange. name.',
    [msg({ name: '$exchange.peer.connected', value: { peer: 'db' } })],
  ],
  [
    'msg-values',
    'Payload values: nesting, empty containers, unicode, escapes, numbers at the edges, null.',
    [
      msg({
        value: {
          text: 'héllo “wörld” 👋 \u0000 tab\t newline\n quote" backslash\\',
          numbers: [
            0, -1, 1.5, -0.25, 9007199254740991, -9007199254740991, 1e-7, 1.7976931348623157e308,
          ],
          flags: [true, false, null],
          empty: { object: {}, array: [], string: '' },
          deep: [[[[{ a: [{ b: 'c' }] }]]]],
          proto_in_a_string: '__proto__',
          constructor: { name: 'not a prototype' },
        },
      }),
    ],
  ],
  [
    'msg-value-null-and-scalars',
    'A payload may be any JSON value, null included; several frames in one batch.',
    [msg({ value: null }), msg({ value: 'text' }), msg({ value: 42 }), msg({ value: false })],
  ],
  [
    'ping-pong',
    'Heartbeats, with and without n.',
    [ping, { t: 'pong', n: 1 }, { t: 'ping' }, { t: 'pong' }],
  ],
  [
    'ack',
    'A cumulative acknowledgement (1280 msg frames of this connection arrived), in a batch with other frames; n may be 0.',
    [
      { t: 'pong', n: 3 },
      { t: 'ack', n: 1280 },
      { t: 'ack', n: 0 },
    ],
  ],
  ['bye-reason', 'A normal close.', [{ t: 'bye', reason: 'shutting down' }]],
  ['bye-bare', 'A close without a reason.', [{ t: 'bye' }]],
  [
    'bye-error',
    'A close because of a protocol error.',
    [
      {
        t: 'bye',
        reason: 'protocol error',
        error: {
          code: 'BAD_FRAME',
          message: 'frames[0].env.ts: must be a finite number >= 0, got string',
        },
      },
    ],
  ],
  [
    'coalesced',
    'A coalesced batch: route changes, messages and heartbeats in one transport message.',
    [
      { t: 'adv', adverts: [{ k: 'o', p: 'chat.*', d: 1 }] },
      msg({ id: 'app:m3x9.0:10', name: 'chat.room1', value: { text: 'hi' } }, 2),
      msg({ id: 'app:m3x9.0:11', name: 'chat.room2', value: { text: 'yo' } }, 2),
      { t: 'pong', n: 9 },
      msg({ id: 'app:m3x9.0:12', name: 'orders.created' }),
    ],
  ],
  [
    'unknown-fields',
    'Fields this version does not define are ignored (this decoder keeps them; dropping them is allowed too).',
    [{ t: 'ping', n: 2, future: { x: 1 } }, msg({ futureField: 'ignored' })],
  ],
  [
    'limits-at-the-edge',
    'Exactly at the limits: a 256-character, 16-token name, a 256-hop trace, 64 headers, 256-character ids.',
    [
      msg({
        id: 'i'.repeat(256),
        name: name256,
        trace: repeat(256, (i) => hop(`ex-${i}`, T + i)),
        start: 256,
        headers: Object.fromEntries(repeat(64, (i) => [`h${i}`, `${i}`])),
        key: 'k'.repeat(256),
      }),
    ],
  ],
];

/** Invalid batches, as values both codecs carry, with the error every decoder must give. */
const INVALID = [
  ['batch-not-array', 'A batch is an array, even for one frame.', ping, 'BAD_FRAME'],
  ['batch-empty', 'A batch holds at least one frame.', [], 'BAD_FRAME'],
  ['batch-scalar', 'Not a batch at all.', 'hello', 'BAD_FRAME'],
  ['frame-not-object', 'A frame is an object.', [1], 'BAD_FRAME'],
  ['frame-null', 'A frame is an object, not null.', [null], 'BAD_FRAME'],
  ['frame-array', 'A frame is an object, not an array.', [['ping']], 'BAD_FRAME'],
  ['frame-no-kind', 'A frame without t.', [{ n: 1 }], 'BAD_FRAME'],
  ['frame-kind-not-string', 't must be a string.', [{ t: 1 }], 'BAD_FRAME'],
  [
    'frame-unknown-kind',
    'A frame kind version 1 does not define.',
    [{ t: 'subscribe', p: 'a' }],
    'BAD_FRAME',
  ],
  ['frame-kind-case', 'Kinds are case-sensitive.', [{ t: 'PING' }], 'BAD_FRAME'],
  ['hello-not-alone', 'A hello must be alone in its batch.', [hello(), ping], 'BAD_FRAME'],
  [
    'hello-version-2',
    'A protocol version this side does not speak.',
    [hello({ protocol: 2 })],
    'VERSION_MISMATCH',
  ],
  [
    'hello-version-2-other-shape',
    'The version is checked before anything else: a v2 hello with fields v1 does not know.',
    [{ t: 'hello', protocol: 2, peer: { id: 'x' } }],
    'VERSION_MISMATCH',
  ],
  ['hello-version-0', 'protocol is an integer >= 1.', [hello({ protocol: 0 })], 'BAD_FRAME'],
  [
    'hello-version-string',
    'protocol is a number, not a string.',
    [hello({ protocol: '1' })],
    'BAD_FRAME',
  ],
  ['hello-no-version', 'protocol is required.', [without(hello(), 'protocol')], 'BAD_FRAME'],
  ['hello-no-id', 'id is required.', [without(hello(), 'id')], 'BAD_FRAME'],
  ['hello-bad-id', 'An exchange id has no spaces.', [hello({ id: 'my peer' })], 'BAD_FRAME'],
  [
    'hello-id-too-long',
    'An exchange id has at most 64 characters.',
    [hello({ id: 'x'.repeat(65) })],
    'BAD_FRAME',
  ],
  [
    'hello-no-adverts',
    'adverts is required (it may be empty).',
    [without(hello(), 'adverts')],
    'BAD_FRAME',
  ],
  [
    'hello-codecs-empty',
    'codecs, if present, lists 1 to 8 codecs.',
    [hello({ codecs: [] })],
    'BAD_FRAME',
  ],
  ['hello-codec-name', 'Codec names are lowercase.', [hello({ codecs: ['JSON'] })], 'BAD_FRAME'],
  [
    'hello-credentials-string',
    'credentials is an object.',
    [hello({ credentials: 'token' })],
    'BAD_FRAME',
  ],
  [
    'hello-heartbeat-negative',
    'heartbeat is an integer >= 0.',
    [hello({ heartbeat: -1 })],
    'BAD_FRAME',
  ],
  [
    'hello-heartbeat-fraction',
    'heartbeat is an integer.',
    [hello({ heartbeat: 1.5 })],
    'BAD_FRAME',
  ],
  ['hello-maxbytes-small', 'maxBytes is at least 65536.', [hello({ maxBytes: 1000 })], 'BAD_FRAME'],
  ['hello-maxframes-zero', 'maxFrames is at least 1.', [hello({ maxFrames: 0 })], 'BAD_FRAME'],
  ['hello-leaf-string', 'leaf, if present, is a boolean.', [hello({ leaf: 'yes' })], 'BAD_FRAME'],
  ['hello-acks-negative', 'acks is an integer >= 0.', [hello({ acks: -1 })], 'BAD_FRAME'],
  ['hello-acks-bool', 'acks is a number, not a flag.', [hello({ acks: true })], 'BAD_FRAME'],
  [
    'hello-instance-empty',
    'instance, if present, has 1 to 256 characters.',
    [hello({ instance: '' })],
    'BAD_FRAME',
  ],
  [
    'hello-agent-empty',
    'agent, if present, has 1 to 256 characters.',
    [hello({ agent: '' })],
    'BAD_FRAME',
  ],
  [
    'hello-null-option',
    'null is not a value for an optional field.',
    [hello({ codec: null })],
    'BAD_FRAME',
  ],
  ['adv-no-adverts', 'adv needs adverts.', [{ t: 'adv' }], 'BAD_FRAME'],
  [
    'adv-bad-kind',
    'k is h, o or n.',
    [{ t: 'adv', adverts: [{ k: 'x', p: 'a', d: 0 }] }],
    'BAD_FRAME',
  ],
  [
    'adv-bad-pattern',
    '> must be the last token.',
    [{ t: 'adv', adverts: [{ k: 'h', p: 'a.>.b', d: 0 }] }],
    'INVALID_NAME',
  ],
  [
    'adv-pattern-not-string',
    'p is a string.',
    [{ t: 'adv', adverts: [{ k: 'o', p: 7, d: 0 }] }],
    'BAD_FRAME',
  ],
  [
    'adv-node-bad-id',
    'For k n, p is an exchange id.',
    [{ t: 'adv', adverts: [{ k: 'n', p: 'a.b', d: 0 }] }],
    'BAD_FRAME',
  ],
  [
    'adv-negative-distance',
    'd is an integer >= 0 or null.',
    [{ t: 'adv', adverts: [{ k: 'h', p: 'a', d: -1 }] }],
    'BAD_FRAME',
  ],
  [
    'adv-fractional-distance',
    'd is an integer.',
    [{ t: 'adv', adverts: [{ k: 'h', p: 'a', d: 0.5 }] }],
    'BAD_FRAME',
  ],
  [
    'adv-missing-distance',
    'd is required (null withdraws).',
    [{ t: 'adv', adverts: [{ k: 'h', p: 'a' }] }],
    'BAD_FRAME',
  ],
  ['msg-no-env', 'msg needs env.', [{ t: 'msg', mode: 1 }], 'BAD_FRAME'],
  ['msg-env-array', 'env is an object.', [{ t: 'msg', mode: 1, env: [] }], 'BAD_FRAME'],
  ['msg-mode-0', 'mode is 1, 2 or 3.', [msg({}, 0)], 'BAD_FRAME'],
  ['msg-mode-4', 'mode is 1, 2 or 3.', [msg({}, 4)], 'BAD_FRAME'],
  ['msg-no-mode', 'mode is required.', [without(msg(), 'mode')], 'BAD_FRAME'],
  ['env-no-id', 'id is required.', [msgWithout('id')], 'BAD_FRAME'],
  ['env-empty-id', 'A message id has 1 to 256 characters.', [msg({ id: '' })], 'BAD_FRAME'],
  [
    'env-long-id',
    'A message id has 1 to 256 characters.',
    [msg({ id: 'i'.repeat(257) })],
    'BAD_FRAME',
  ],
  ['env-bad-kind', 'kind is msg, req, rep or err.', [msg({ kind: 'reply' })], 'BAD_FRAME'],
  ['env-no-name', 'name is required.', [msgWithout('name')], 'BAD_FRAME'],
  ['env-name-not-string', 'A name is a string.', [msg({ name: 42 })], 'BAD_FRAME'],
  ['env-name-empty-token', 'Empty token.', [msg({ name: 'a..b' })], 'INVALID_NAME'],
  [
    'env-name-wildcard',
    'Messages carry names, not patterns.',
    [msg({ name: 'chat.*' })],
    'INVALID_NAME',
  ],
  [
    'env-name-bad-char',
    'Only A-Z a-z 0-9 _ - in tokens.',
    [msg({ name: 'chat room' })],
    'INVALID_NAME',
  ],
  ['env-name-too-long', 'At most 256 characters.', [msg({ name: `${name256}z` })], 'INVALID_NAME'],
  [
    'env-name-17-tokens',
    'At most 16 tokens.',
    [msg({ name: repeat(17, () => 'a').join('.') })],
    'INVALID_NAME',
  ],
  ['env-name-dollar-inside', '$ only starts a name.', [msg({ name: 'a.$b' })], 'INVALID_NAME'],
  ['env-no-from', 'from is required.', [msgWithout('from')], 'BAD_FRAME'],
  ['env-bad-from', 'from is an exchange id.', [msg({ from: 'a.b' })], 'BAD_FRAME'],
  ['env-to-null', 'null is not a value for an optional field.', [msg({ to: null })], 'BAD_FRAME'],
  ['env-no-ts', 'ts is required.', [msgWithout('ts')], 'BAD_FRAME'],
  ['env-ts-string', 'ts is a number.', [msg({ ts: '2026-01-01T00:00:00Z' })], 'BAD_FRAME'],
  ['env-ts-negative', 'ts is >= 0.', [msg({ ts: -1 })], 'BAD_FRAME'],
  ['env-no-trace', 'trace is required.', [msgWithout('trace')], 'BAD_FRAME'],
  ['env-trace-object', 'trace is an array.', [msg({ trace: { ex: 'app', at: T } })], 'BAD_FRAME'],
  ['env-hop-no-at', 'A hop has ex and at.', [msg({ trace: [{ ex: 'app' }] })], 'BAD_FRAME'],
  ['env-hop-bad-ex', 'A hop ex is an exchange id.', [msg({ trace: [hop('', T)] })], 'BAD_FRAME'],
  [
    'env-trace-257',
    'At most 256 hops.',
    [msg({ trace: repeat(257, (i) => hop('ex', T + i)) })],
    'TOO_LARGE',
  ],
  ['env-start-beyond', 'start is at most the trace length.', [msg({ start: 2 })], 'BAD_FRAME'],
  ['env-headers-array', 'headers is an object.', [msg({ headers: ['a'] })], 'BAD_FRAME'],
  [
    'env-header-number',
    'Header values are strings.',
    [msg({ headers: { retries: 3 } })],
    'BAD_FRAME',
  ],
  [
    'env-headers-65',
    'At most 64 headers.',
    [msg({ headers: Object.fromEntries(repeat(65, (i) => [`h${i}`, 'v'])) })],
    'TOO_LARGE',
  ],
  ['env-rep-no-corr', 'A reply carries corr.', [msg({ kind: 'rep', to: 'app' })], 'BAD_FRAME'],
  [
    'env-err-no-error',
    'An error carries error.',
    [msg({ kind: 'err', to: 'app', corr: 'x:1' })],
    'BAD_FRAME',
  ],
  [
    'env-error-no-code',
    'An error has a code.',
    [msg({ kind: 'err', corr: 'x:1', error: { message: 'm' } })],
    'BAD_FRAME',
  ],
  [
    'env-error-message-number',
    'An error message is a string.',
    [msg({ kind: 'err', corr: 'x:1', error: { code: 'INTERNAL', message: 500 } })],
    'BAD_FRAME',
  ],
  [
    'env-bad-error-source',
    'errorSource is handler or router.',
    [msg({ errorSource: 'user' })],
    'BAD_FRAME',
  ],
  [
    'env-bad-failover',
    'failover is retry or at-most-once.',
    [msg({ failover: 'never' })],
    'BAD_FRAME',
  ],
  ['env-deadline-string', 'deadline is a time.', [msg({ deadline: 'soon' })], 'BAD_FRAME'],
  [
    'env-corr-number',
    'corr is a message id (a string).',
    [msg({ kind: 'rep', corr: 7 })],
    'BAD_FRAME',
  ],
  ['ping-negative', 'n is an integer >= 0.', [{ t: 'ping', n: -1 }], 'BAD_FRAME'],
  ['ping-string', 'n is a number.', [{ t: 'ping', n: '1' }], 'BAD_FRAME'],
  ['ack-no-n', 'An ack has n.', [{ t: 'ack' }], 'BAD_FRAME'],
  ['ack-fraction', 'n is an integer.', [{ t: 'ack', n: 1.5 }], 'BAD_FRAME'],
  ['ack-negative', 'n is >= 0.', [{ t: 'ack', n: -1 }], 'BAD_FRAME'],
  ['bye-reason-number', 'reason is a string.', [{ t: 'bye', reason: 1 }], 'BAD_FRAME'],
  ['bye-error-string', 'error is an object.', [{ t: 'bye', error: 'BAD_FRAME' }], 'BAD_FRAME'],
  [
    'bad-frame-after-good',
    'One bad frame rejects the whole batch.',
    [ping, msg(), { t: 'pong', n: -5 }],
    'BAD_FRAME',
  ],
];

/** Prototype pollution: built from JSON text, so `__proto__` is an own key, as a peer would send it. */
const POLLUTING = [
  [
    'proto-in-value',
    'A __proto__ key in a payload.',
    '[{"t":"msg","mode":1,"env":{"id":"a:1","kind":"msg","name":"x","value":{"__proto__":{"isAdmin":true}},"from":"a","ts":1,"trace":[]}}]',
  ],
  ['proto-in-frame', 'A __proto__ key in a frame.', '[{"t":"ping","__proto__":{"n":1}}]'],
  [
    'constructor-prototype',
    'A constructor key holding a prototype.',
    '[{"t":"ping","x":{"constructor":{"prototype":{"isAdmin":true}}}}]',
  ],
];

/** Limits the decoder is configured with, for the cases that test them. */
const LIMITED = [
  [
    'over-max-frames',
    'More frames than the receiver’s maxFrames (2 here).',
    { maxFrames: 2 },
    [ping, ping, ping],
  ],
  [
    'over-max-bytes',
    'A transport message over the receiver’s maxBytes (100 here), checked before decoding.',
    { maxBytes: 100 },
    [msg({ value: 'x'.repeat(100) })],
  ],
];

function jsonVectors() {
  const valid = VALID.map(([name, description, frames]) => ({
    name,
    description,
    wire: JSON.stringify(frames),
    frames,
  }));
  valid.push(
    {
      name: 'json-whitespace',
      description: 'Insignificant whitespace and key order do not matter.',
      wire: '[\n  { "n" : 5 , "t" : "ping" } ,\n\t{"t":"pong"}\n]\n',
      frames: [{ n: 5, t: 'ping' }, { t: 'pong' }],
    },
    {
      name: 'json-escapes',
      description: 'Escaped characters decode before validation: \\u0064 is d.',
      wire: '[{"t":"adv","adverts":[{"k":"h","p":"\\u0064b.query","d":0}]}]',
      frames: [{ t: 'adv', adverts: [{ k: 'h', p: 'db.query', d: 0 }] }],
    },
    {
      name: 'json-number-forms',
      description: '1.0 and 1e0 are the integer 1; 1.7672256e12 is a valid time.',
      wire: '[{"t":"ping","n":1.0},{"t":"pong","n":1e0},{"t":"msg","mode":2.0,"env":{"id":"a:1","kind":"msg","name":"x","from":"a","ts":1.7672256e12,"trace":[]}}]',
      frames: [
        { t: 'ping', n: 1 },
        { t: 'pong', n: 1 },
        {
          t: 'msg',
          mode: 2,
          env: { id: 'a:1', kind: 'msg', name: 'x', from: 'a', ts: T, trace: [] },
        },
      ],
    },
  );
  const invalid = INVALID.map(([name, description, value, error]) => ({
    name,
    description,
    wire: JSON.stringify(value),
    error,
  }));
  for (const [name, description, wire] of POLLUTING)
    invalid.push({ name, description, wire, error: 'BAD_FRAME' });
  invalid.push(
    {
      name: 'proto-escaped',
      description: 'A __proto__ key spelled with escapes is still __proto__.',
      wire: '[{"t":"ping","x":{"\\u005f_proto__":{"isAdmin":true}}}]',
      error: 'BAD_FRAME',
    },
    {
      name: 'json-syntax',
      description: 'Not JSON: cut short.',
      wire: '[{"t":"ping"',
      error: 'BAD_FRAME',
    },
    {
      name: 'json-trailing',
      description: 'Not JSON: text after the value.',
      wire: '[{"t":"ping"}] x',
      error: 'BAD_FRAME',
    },
    {
      name: 'json-nan',
      description: 'NaN is not JSON.',
      wire: '[{"t":"ping","n":NaN}]',
      error: 'BAD_FRAME',
    },
    {
      name: 'json-single-quotes',
      description: 'Not JSON.',
      wire: "[{'t':'ping'}]",
      error: 'BAD_FRAME',
    },
    {
      name: 'json-empty',
      description: 'An empty transport message.',
      wire: '',
      error: 'BAD_FRAME',
    },
    {
      name: 'json-bad-utf8',
      description: 'JSON text received as bytes must be UTF-8 (here a lone 0xFF byte in a string).',
      wireBase64: b64(
        Buffer.concat([Buffer.from('[{"t":"bye","reason":"'), hex('ff'), Buffer.from('"}]')]),
      ),
      error: 'BAD_FRAME',
    },
  );
  for (const [name, description, limits, value] of LIMITED)
    invalid.push({ name, description, limits, wire: JSON.stringify(value), error: 'TOO_LARGE' });
  return {
    description:
      'Test vectors for the json codec (spec/protocol.md, section 11.1). `wire` is the exact text of one transport message; `wireBase64`, where given instead, its exact bytes. See README.md.',
    protocol: 1,
    codec: 'json',
    valid,
    invalid,
  };
}

function msgpackVectors() {
  const valid = VALID.map(([name, description, frames]) => ({
    name,
    description,
    wire: mp(frames),
    frames,
  }));
  valid.push(
    {
      name: 'msgpack-wide-encodings',
      description:
        'Non-minimal but valid encodings: map 16, str 8, uint 64 for a small integer, float 32 and float 64 for integers.',
      // [ {t: "ping", n: 1 (uint 64)}, {t: "pong", n: 2.0 (float 32)}, {t: "ping", n: 3.0 (float 64)} ]
      wire: b64(
        hex(`93
          de 0002 d9 01 74 d9 04 70696e67 a1 6e cf 0000000000000001
          82 a1 74 a4 706f6e67 a1 6e ca 40000000
          82 a1 74 a4 70696e67 a1 6e cb 4008000000000000`),
      ),
      frames: [
        { t: 'ping', n: 1 },
        { t: 'pong', n: 2 },
        { t: 'ping', n: 3 },
      ],
    },
    {
      name: 'msgpack-proto-in-a-string',
      description: 'The bytes of __proto__ inside a string value are fine; only a key is refused.',
      wire: mp([{ t: 'bye', reason: 'got __proto__ as text' }]),
      frames: [{ t: 'bye', reason: 'got __proto__ as text' }],
    },
  );
  const invalid = INVALID.map(([name, description, value, error]) => ({
    name,
    description,
    wire: mp(value),
    error,
  }));
  for (const [name, description, text] of POLLUTING)
    invalid.push({ name, description, wire: mp(JSON.parse(text)), error: 'BAD_FRAME' });
  const bad = (name, description, bytes) =>
    invalid.push({ name, description, wire: b64(bytes), error: 'BAD_FRAME' });
  const pingWith = (nHex) => hex(`91 82 a1 74 a4 70696e67 a1 6e ${nHex}`); // [{t: "ping", n: …}]
  bad('msgpack-truncated', 'Cut short.', packr.pack([ping]).subarray(0, 5));
  bad('msgpack-trailing', 'Bytes after the value.', Buffer.concat([packr.pack([ping]), hex('c0')]));
  bad('msgpack-empty', 'An empty transport message.', Buffer.alloc(0));
  bad('msgpack-nan', 'NaN is not a JSON number.', pingWith('cb 7ff8000000000000'));
  bad('msgpack-infinity', 'Infinity is not a JSON number.', pingWith('cb 7ff0000000000000'));
  bad('msgpack-bin', 'Binary is not a JSON value.', pingWith('c4 02 0102'));
  bad(
    'msgpack-timestamp',
    'The timestamp extension is not a JSON value.',
    pingWith('d6 ff 00000000'),
  );
  bad(
    'msgpack-undefined',
    'The fixext 1 type 0 "undefined" is not a JSON value.',
    pingWith('d4 00 00'),
  );
  bad('msgpack-unknown-ext', 'An extension type.', pingWith('d4 05 00'));
  bad(
    'msgpack-value-bin',
    'Binary inside a payload.',
    packr.pack([msg({ value: { blob: Buffer.from([1, 2, 3]) } })]),
  );
  bad(
    'msgpack-value-date',
    'A timestamp inside a payload.',
    packr.pack([msg({ value: { at: new Date(T) } })]),
  );
  for (const [name, description, limits, value] of LIMITED)
    invalid.push({ name, description, limits, wire: mp(value), error: 'TOO_LARGE' });
  return {
    description:
      'Test vectors for the msgpack codec (spec/protocol.md, section 11.2). `wire` is the base64 of the exact bytes of one transport message. See README.md.',
    protocol: 1,
    codec: 'msgpack',
    valid,
    invalid,
  };
}

// ---- msgpack-compact (spec/protocol.md §11.3) --------------------------------------------------

/** The envelope fields, in the order of their bits in `present`. */
const FIELD_BITS =
  'id kind name value from to ts headers trace start cause corr error errorSource deadline failover key'.split(
    ' ',
  );
const isPlainHop = (h) =>
  typeof h === 'object' &&
  h !== null &&
  Object.keys(h).join() === 'ex,at' &&
  typeof h.ex === 'string' &&
  typeof h.at === 'number';

/**
 * A frame as msgpack-compact writes it: a msg frame with only t, env and mode, whose envelope
 * holds only known fields and whose trace is plain `{ex, at}` hops, as `[mode, [present, ...]]`;
 * anything else as it is (a map, which msgpack-compact also reads).
 */
function toCompact(frame) {
  if (frame?.t !== 'msg' || Object.keys(frame).sort().join() !== 'env,mode,t') return frame;
  const env = frame.env;
  if (typeof env !== 'object' || env === null || Array.isArray(env)) return frame;
  if (Object.keys(env).some((k) => !FIELD_BITS.includes(k))) return frame;
  if (!Array.isArray(env.trace) || !env.trace.every(isPlainHop)) return frame;
  let present = 0;
  const fields = [];
  FIELD_BITS.forEach((field, bit) => {
    if (!(field in env)) return;
    present += 2 ** bit;
    fields.push(field === 'trace' ? env.trace.flatMap((h) => [h.ex, h.at]) : env[field]);
  });
  return [frame.mode, [present, ...fields]];
}

function msgpackCompactVectors() {
  const cmp = (frames) => mp(Array.isArray(frames) ? frames.map(toCompact) : frames);
  const bits = (...fields) => fields.reduce((sum, f) => sum + 2 ** FIELD_BITS.indexOf(f), 0);
  const basic = bits('id', 'kind', 'name', 'value', 'from', 'ts', 'trace');
  const basicFields = [
    'app:m3x9.0:1',
    'msg',
    'orders.created',
    { order: 'o-1', total: 12.5 },
    'app',
    T,
    ['app', T],
  ];
  const valid = VALID.map(([name, description, frames]) => ({
    name,
    description,
    wire: cmp(frames),
    frames,
  }));
  valid.push(
    {
      name: 'compact-layout',
      description:
        'A msg frame as [mode, [present, ...fields]]: present has the bits of id, kind, name, value, from, ts and trace (0-4, 6, 8); the trace is ex, at pairs.',
      wire: mp([[1, [basic, ...basicFields]]]),
      frames: [msg()],
    },
    {
      name: 'compact-map-form',
      description: 'A msg frame may still be a map, as in msgpack; here next to an array one.',
      wire: mp([msg(), toCompact(msg({ id: 'app:m3x9.0:2' }, 2)), ping]),
      frames: [msg(), msg({ id: 'app:m3x9.0:2' }, 2), ping],
    },
    {
      name: 'compact-null-value',
      description: 'value present and nil is JSON null, not an absent value.',
      wire: mp([[1, [basic, ...basicFields.slice(0, 3), null, ...basicFields.slice(4)]]]),
      frames: [msg({ value: null })],
    },
    {
      name: 'compact-later-bits',
      description:
        'Bits 17 and 20 (fields of a later version) follow the known fields: read, then dropped; so is an element after env.',
      wire: mp([[1, [basic + 2 ** 17 + 2 ** 20, ...basicFields, 'later', { x: 1 }], 'later too']]),
      frames: [msg()],
    },
  );
  const invalid = INVALID.map(([name, description, value, error]) => ({
    name,
    description,
    wire: cmp(value),
    error,
  }));
  for (const [name, description, text] of POLLUTING)
    invalid.push({ name, description, wire: cmp(JSON.parse(text)), error: 'BAD_FRAME' });
  const bad = (name, description, frames) =>
    invalid.push({ name, description, wire: mp(frames), error: 'BAD_FRAME' });
  bad('compact-frame-of-one', 'A msg frame array needs mode and env.', [[1]]);
  bad('compact-empty-env', 'An envelope array needs its present mask.', [[1, []]]);
  bad('compact-more-fields', 'More fields than present has bits.', [
    [1, [basic, ...basicFields, 'x']],
  ]);
  bad('compact-fewer-fields', 'Fewer fields than present has bits.', [
    [1, [basic, ...basicFields.slice(1)]],
  ]);
  bad('compact-present-float', 'present must be an integer.', [[1, [1.5, 'app:m3x9.0:1']]]);
  bad('compact-present-negative', 'present must be 0 or more.', [[1, [-1, 'app:m3x9.0:1']]]);
  bad('compact-present-too-large', 'present has at most 31 bits.', [
    [1, [2 ** 31, 'app:m3x9.0:1']],
  ]);
  bad('compact-odd-trace', 'A trace of ex, at pairs has an even length.', [
    [1, [basic, ...basicFields.slice(0, 6), ['app', T, 'hub']]],
  ]);
  bad('compact-env-string', 'An envelope that is neither an array nor a map.', [[1, 'env']]);
  bad('compact-no-id', 'The fields are validated as any msg frame: id is required.', [
    [1, [basic - 1, ...basicFields.slice(1)]],
  ]);
  bad(
    'compact-polluted-later-field',
    'A later field is dropped, but refused first as any value would be.',
    [[1, [basic + 2 ** 17, ...basicFields, JSON.parse('{"__proto__":{"x":1}}')]]],
  );
  // The msgpack cases of values outside JSON, in compact frames.
  bad('compact-value-bin', 'Binary inside a payload.', [
    toCompact(msg({ value: { blob: Buffer.from([1, 2, 3]) } })),
  ]);
  bad('compact-value-date', 'A timestamp inside a payload.', [
    toCompact(msg({ value: { at: new Date(T) } })),
  ]);
  // Sizes as in msgpack: map form.
  for (const [name, description, limits, value] of LIMITED)
    invalid.push({ name, description, limits, wire: mp(value), error: 'TOO_LARGE' });
  return {
    description:
      'Test vectors for the msgpack-compact codec (spec/protocol.md, section 11.3). `wire` is the base64 of the exact bytes of one transport message. See README.md.',
    protocol: 1,
    codec: 'msgpack-compact',
    valid,
    invalid,
  };
}

function handshakeVectors() {
  return {
    description:
      'The handshake decisions of spec/protocol.md section 6, as tables. An absent field means the hello did not have it.',
    protocol: 1,
    chooseCodec: {
      description:
        "The acceptor's codec: the first of the initiator's codecs it supports, else json.",
      cases: [
        { offered: ['msgpack', 'json'], supported: ['msgpack', 'json'], expected: 'msgpack' },
        {
          offered: ['msgpack-compact', 'msgpack', 'json'],
          supported: ['msgpack-compact', 'msgpack', 'json'],
          expected: 'msgpack-compact',
        },
        {
          offered: ['msgpack', 'json'],
          supported: ['msgpack-compact', 'msgpack', 'json'],
          expected: 'msgpack',
        },
        {
          offered: ['msgpack-compact', 'msgpack', 'json'],
          supported: ['msgpack', 'json'],
          expected: 'msgpack',
        },
        { offered: ['json', 'msgpack'], supported: ['msgpack', 'json'], expected: 'json' },
        { offered: ['msgpack', 'json'], supported: ['json'], expected: 'json' },
        { offered: ['cbor', 'msgpack'], supported: ['msgpack', 'json'], expected: 'msgpack' },
        { offered: ['cbor'], supported: ['msgpack', 'json'], expected: 'json' },
        { supported: ['msgpack', 'json'], expected: 'json' },
      ],
    },
    acceptCodec: {
      description:
        "The initiator's check of the acceptor's `codec`: json, or one it offered; otherwise BAD_FRAME.",
      cases: [
        { offered: ['msgpack', 'json'], chosen: 'msgpack', expected: 'msgpack' },
        { offered: ['msgpack', 'json'], expected: 'json' },
        { offered: ['msgpack'], chosen: 'json', expected: 'json' },
        { chosen: 'msgpack', error: 'BAD_FRAME' },
        { offered: ['json'], chosen: 'cbor', error: 'BAD_FRAME' },
      ],
    },
    heartbeat: {
      description:
        'The heartbeat interval in ms: the smaller proposal; absent counts as 15000, 0 as no preference; 0 = none.',
      cases: [
        { expected: 15000 },
        { mine: 5000, expected: 5000 },
        { mine: 5000, theirs: 20000, expected: 5000 },
        { mine: 30000, theirs: 10000, expected: 10000 },
        { mine: 0, theirs: 10000, expected: 10000 },
        { mine: 0, expected: 15000 },
        { mine: 0, theirs: 0, expected: 0 },
      ],
    },
    acks: {
      description:
        "Acknowledgements (section 5.6) from the two hellos' `acks`: `every`, acknowledge the peer's msg frames at least every so many (0: send no acks); `acknowledged`, the peer acknowledges this side's (keep what is written until it does).",
      cases: [
        { expected: { every: 0, acknowledged: false } },
        { mine: 256, expected: { every: 0, acknowledged: false } },
        { theirs: 256, expected: { every: 0, acknowledged: false } },
        { mine: 0, theirs: 0, expected: { every: 0, acknowledged: false } },
        { mine: 256, theirs: 0, expected: { every: 0, acknowledged: true } },
        { mine: 0, theirs: 64, expected: { every: 64, acknowledged: false } },
        { mine: 256, theirs: 64, expected: { every: 64, acknowledged: true } },
      ],
    },
  };
}

/** Write `data` as JSON, formatted the way `npm run lint` (prettier) wants it. */
async function write(file, data) {
  const url = new URL(file, OUT);
  const config = (await prettier.resolveConfig(url)) ?? {};
  const text = await prettier.format(JSON.stringify(data), { ...config, parser: 'json' });
  writeFileSync(url, text);
}

await write('json.json', jsonVectors());
await write('msgpack.json', msgpackVectors());
await write('msgpack-compact.json', msgpackCompactVectors());
await write('handshake.json', handshakeVectors());
