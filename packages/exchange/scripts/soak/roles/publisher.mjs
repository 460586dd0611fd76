// Publishes numbered messages at a steady rate over a reconnecting WebSocket link, recording when
// each was accepted, and what `send` refused (CONGESTED) while the hub was away.
import { now } from '../lib.mjs';
import { exchange, memory } from '../library.mjs';

let ex;
let peer;
let timer;
let seq = 0;
let sendAt = [];
/** 1 where the link held the message (no connection to write it to), 0 where it wrote it. */
let held = [];
let refused = 0;
let firstRefusal;
let otherErrors = [];
let resentBefore = 0;

/**
 * A connected link writes what was queued in one turn at the end of that turn, so its queue is
 * empty at the start of the next tick. Non-empty, the link had no connection: every message sent
 * since the queue was last seen empty is being held for the next one.
 */
let lastEmpty = 0;
function markHeld() {
  if (peer.link.queued === 0) lastEmpty = held.length;
  else for (let i = lastEmpty; i < held.length; i++) held[i] = 1;
}

export const commands = {
  /** Connect to the hub and wait until `name` has an observer. */
  async connect({ url, id = 'pub', name, reconnect, maxQueued }, emit) {
    ex = exchange({ id });
    ex.on('$exchange.peer.connected', (m) => {
      if (m.value.again) emit('reconnected', { at: now() });
    });
    peer = await ex.connect({
      transport: 'websocket',
      url,
      ...(reconnect !== undefined ? { reconnect } : {}),
      ...(maxQueued !== undefined ? { maxQueued } : {}),
    });
    await ex.reachable(name, { observer: true, timeout: 10_000 });
  },

  /** Send `{ seq, pad }` on `name` at `rate` per second until `stop`. */
  start({ name, rate, pad = 0 }) {
    const filler = 'x'.repeat(pad);
    const t0 = performance.now();
    let slots = 0;
    const tick = () => {
      markHeld();
      const due = Math.floor(((performance.now() - t0) * rate) / 1000);
      while (slots < due) {
        slots++;
        try {
          ex.send(name, { seq, pad: filler });
          sendAt.push(now());
          held.push(0);
          seq++;
        } catch (e) {
          if (e.code !== 'CONGESTED') otherErrors.push(String(e));
          refused++;
          firstRefusal ??= { seq, at: now(), queued: peer.link.queued };
        }
      }
    };
    timer = setInterval(tick, 2);
  },

  /** Stop sending; returns (and forgets) what was recorded since the last stop. */
  stop() {
    clearInterval(timer);
    markHeld();
    const out = {
      firstSeq: seq - sendAt.length,
      sendAt: Float64Array.from(sendAt),
      held: Uint8Array.from(held),
      refused,
      firstRefusal,
      otherErrors,
      counters: ex.describe().counters,
      // Written to a connection that died before the hub acknowledged them: sent again.
      resent: peer.link.resent - resentBefore,
    };
    resentBefore = peer.link.resent;
    sendAt = [];
    held = [];
    lastEmpty = 0;
    refused = 0;
    firstRefusal = undefined;
    otherErrors = [];
    return out;
  },

  status: () => ({ seq, refused, queued: peer.link.queued, firstRefusal }),

  /** A request through the hub (`to: hub`): its outcome and how long it took. */
  async request({ timeout = 1000 }) {
    const t0 = performance.now();
    try {
      await ex.request('$exchange.info', undefined, { to: peer.id, timeout });
      return { code: 'OK', ms: performance.now() - t0 };
    } catch (e) {
      return { code: e.code, ms: performance.now() - t0, message: e.message };
    }
  },

  memory: () => memory(),

  close() {
    clearInterval(timer);
    ex?.close();
  },
};
