// Benchmark payloads: `size` bytes whose first SEQ_DIGITS bytes are the message's sequence number in
// ASCII, so every receiver can check which message it got without a second channel. Text form for
// systems that carry strings (the ws relay's JSON frames, socket.io events), byte form for nats.

/** Digits of the sequence number at the start of every payload. */
export const SEQ_DIGITS = 10;

const FILLER = 'x'.repeat(1 << 20);

/** A text payload of `size` ASCII characters carrying `seq`. */
export function textPayload(seq, size) {
  return String(seq).padStart(SEQ_DIGITS, '0') + FILLER.slice(0, size - SEQ_DIGITS);
}

/** The sequence number of a text payload of `size` characters, or -1 if it is not one. */
export function textSeq(payload, size) {
  if (typeof payload !== 'string' || payload.length !== size) return -1;
  const seq = Number(payload.slice(0, SEQ_DIGITS));
  return Number.isInteger(seq) ? seq : -1;
}

const templates = new Map();

/** A byte payload of `size` bytes carrying `seq` (a fresh copy of a filler template). */
export function bytePayload(seq, size) {
  let template = templates.get(size);
  if (!template) templates.set(size, (template = new Uint8Array(size).fill(0x78)));
  const bytes = template.slice();
  for (let i = SEQ_DIGITS - 1, n = seq; i >= 0; i--, n = Math.floor(n / 10)) {
    bytes[i] = 0x30 + (n % 10);
  }
  return bytes;
}

/** The sequence number of a byte payload of `size` bytes, or -1 if it is not one. */
export function byteSeq(payload, size) {
  if (!(payload instanceof Uint8Array) || payload.length !== size) return -1;
  let seq = 0;
  for (let i = 0; i < SEQ_DIGITS; i++) {
    const digit = payload[i] - 0x30;
    if (digit < 0 || digit > 9) return -1;
    seq = seq * 10 + digit;
  }
  return seq;
}
