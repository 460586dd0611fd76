// Scenario 1 of docs/reliability.md at CI size: a publisher process at 1,000 msg/s to a hub
// process (`exchange serve`) with an observer process; the hub is SIGKILLed and restarted on the
// same port, then kept down until the publisher's buffer is full.
import { beforeAll, describe, expect, it } from 'vitest';
import { CI_SLACK, fig, runScenario, type ScenarioResult } from './soak-run.js';

let r: ScenarioResult;
const cases = () => r.cases as Record<string, any>;

beforeAll(async () => {
  r = await runScenario('reconnect', 150_000);
}, 160_000);

describe('reconnect buffering (real hub process, SIGKILL)', () => {
  it('the hub is back on the same port within 2 s', () => {
    expect(cases()['observer-first'].restartMs).toBeLessThan(2000 * CI_SLACK);
  });

  it('observer back first: every buffered message arrives, in order, soon after the reconnect', () => {
    const c = cases()['observer-first'];
    expect(c.buffered).toBeGreaterThan(500);
    expect(c.lostBuffered).toBe(0);
    expect(c.inOrder).toBe(true);
    expect(c.duplicates).toBe(0);
    expect(c.lostAfter).toBe(0);
    expect(c.flushMs).toBeLessThan(1000 * CI_SLACK);
  });

  // Was a known failure (docs/reliability.md, "Findings", 2): what the publisher wrote to the
  // connection in the last moments before the kill (12 messages here) was lost. Now the hub
  // acknowledges what it receives, and the publisher sends the unacknowledged again, first, on
  // its next connection; the observer drops what it had already (by message id).
  it('messages written to the dying connection are not lost, nor delivered twice', () => {
    for (const c of [cases()['observer-first'], cases()['publisher-first'], cases().full]) {
      expect(c.lostInFlight).toBe(0);
      expect(c.duplicates).toBe(0);
      expect(c.inOrder).toBe(true);
    }
  });

  it('hub kept down: send throws CONGESTED at the cap, requests fail with it at once', () => {
    const c = cases().full;
    expect(c.queuedAtRefusal).toBe(2000);
    expect(c.refused).toBeGreaterThan(0);
    expect(c.otherErrors).toBe(0);
    expect(c.request.code).toBe('CONGESTED');
    expect(c.request.ms).toBeLessThan(50 * CI_SLACK);
  });

  it("hub kept down: the publisher's memory stops growing at the cap", () => {
    expect(fig(r, 'publisher heap growth while refusing').ok).toBe(true);
  });

  it('full buffer: all of it arrives after the restart, in order', () => {
    const c = cases().full;
    // The cap counts frames: the messages written to the dying connection and put back (resent),
    // and the publisher's own `$exchange.congested` (which the hub observes, for its log), take
    // places in the queue. (More than the cap can count: what is sent while the link is still
    // writing the flushed buffer waits in its queue too.)
    expect(c.buffered + c.resent).toBeGreaterThan(1990);
    expect(c.lostBuffered).toBe(0);
    expect(c.inOrder).toBe(true);
    expect(c.flushMs).toBeLessThan(1000 * CI_SLACK);
  });

  // Was a known failure (docs/reliability.md, "Findings", 1): the publisher flushed its buffer
  // as soon as the restarted hub answered its hello, before the observer had re-registered, and
  // the hub dropped it for no route. Now the hub holds such messages until routes settle, and
  // the publisher holds what it sends with no route yet. The observer retries after 1.5 s here,
  // the publisher within 50 ms; the flush waits for the observer, so it is not timed.
  it('publisher back first: no buffered message is lost', () => {
    const c = cases()['publisher-first'];
    expect(c.buffered).toBeGreaterThan(0);
    expect(c.lostBuffered).toBe(0);
    expect(c.lostAfter).toBe(0);
    expect(c.inOrder).toBe(true);
  });
});
