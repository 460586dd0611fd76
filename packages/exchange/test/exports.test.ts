import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as autoEntry from '../src/auto/index.js';
import * as browserEntry from '../src/browser.js';
import * as rootEntry from '../src/index.js';
import * as kernelEntry from '../src/kernel/index.js';
import * as httpEntry from '../src/transports/http/index.js';
import * as ipcEntry from '../src/transports/ipc/index.js';
import * as tcpEntry from '../src/transports/tcp/index.js';
import * as wsEntry from '../src/transports/ws/index.js';

// The public API is exactly what package.json `exports` names; these lists pin each entry.
describe('public entries', () => {
  it('package.json exports only the documented entries', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      exports: Record<string, unknown>;
    };
    expect(Object.keys(pkg.exports).sort()).toEqual([
      '.',
      './auto',
      './browser',
      './http',
      './ipc',
      './kernel',
      './package.json',
      './tcp',
      './ws',
    ]);
  });

  it('bundlers resolving `exchange` for a browser get the browser entry', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      exports: Record<string, Record<string, unknown>>;
    };
    const browser = { types: './dist/browser.d.ts', default: './dist/browser.js' };
    // Conditions match in key order: `browser` must come before the catch-all `default`.
    expect(Object.keys(pkg.exports['.'])).toEqual(['browser', 'types', 'default']);
    expect(pkg.exports['.'].browser).toEqual(browser);
    expect(pkg.exports['./browser']).toEqual(browser);
  });

  it('exchange in a browser: the same values as the Node entry', () => {
    expect(Object.keys(browserEntry).sort()).toEqual(Object.keys(rootEntry).sort());
  });

  it('exchange', () => {
    expect(Object.keys(rootEntry).sort()).toEqual([
      'CancelledError',
      'Exchange',
      'ExchangeError',
      'InvalidNameError',
      'NoRouteError',
      'RemoteError',
      'SYSTEM_PREFIX',
      'TimeoutError',
      'exchange',
      'formatWhy',
      'fromWireError',
      'isExchangeError',
      'localLinkPair',
      'matches',
      'registerTransport',
      'toWireError',
      'validateName',
      'validatePattern',
    ]);
  });

  it('exchange/kernel', () => {
    expect(Object.keys(kernelEntry).sort()).toEqual(['KernelError', 'kernel']);
  });

  it('exchange/tcp', () => {
    expect(Object.keys(tcpEntry).sort()).toEqual(['connect', 'listen', 'tcpTransport']);
  });

  it('exchange/ws', () => {
    expect(Object.keys(wsEntry).sort()).toEqual(['connect', 'listen', 'websocketTransport']);
  });

  it('exchange/http', () => {
    expect(Object.keys(httpEntry).sort()).toEqual([
      'connect',
      'fetchCarrier',
      'httpTransport',
      'readEvents',
    ]);
  });

  it('exchange/ipc', () => {
    expect(Object.keys(ipcEntry).sort()).toEqual(['IpcLink', 'connect', 'ipcTransport']);
  });

  it('exchange/auto', () => {
    expect(Object.keys(autoEntry).sort()).toEqual([
      'AUTO_VERSION',
      'auto',
      'batch',
      'deepEqual',
      'flush',
      'lastTrace',
      'onTransaction',
      'recorder',
      'snapshot',
      'subscribe',
    ]);
  });
});
