/** The demo's browser page: an exchange in the page asks the server for users and shows the trace. */
export const DEMO_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Exchange — browser ↔ server ↔ database</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<style>
  body { font: 15px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 52rem; padding: 0 1rem; color: #1d232a; }
  h1 { font-size: 1.4rem; } code, pre { font: 13px ui-monospace, monospace; }
  button { font: inherit; padding: .4rem .9rem; margin-right: .5rem; cursor: pointer; }
  .trace { display: flex; flex-wrap: wrap; gap: .3rem; align-items: center; margin: .8rem 0; }
  .hop { background: #eef3f8; border: 1px solid #c9d6e3; border-radius: 4px; padding: .1rem .5rem; }
  .hop small { color: #667; margin-left: .3rem; }
  table { border-collapse: collapse; margin: .5rem 0; } td, th { border-bottom: 1px solid #ddd; padding: .2rem .8rem; text-align: left; }
  #log { background: #f7f7f5; border: 1px solid #e2e2dd; padding: .5rem; height: 14rem; overflow: auto; }
  .err { color: #b00020; } #status { color: #667; }
</style>
</head>
<body>
<h1>browser ↔ server ↔ database</h1>
<p>This page is an exchange. It asks the <code>server</code> for users; the server asks the
<code>database</code>; the reply comes back with its whole route.</p>
<p><button id="all">Ask for all users</button><button id="admins">Only admins</button>
<button id="nobody">Ask something nobody handles</button> <span id="status">connecting…</span></p>
<div id="result"></div>
<h2>Messages this page observed</h2>
<pre id="log"></pre>
<script type="module">
  import { exchange } from '/exchange.js';
  const $ = (id) => document.getElementById(id);
  const id = 'browser-' + Math.random().toString(36).slice(2, 7);
  const ex = exchange({ id });
  const log = (line) => { $('log').textContent = line + '\\n' + $('log').textContent; };
  ex.on('users.listed', (m) => log('users.listed ' + JSON.stringify(m.value) + '  via ' + m.trace.map((h) => h.ex).join(' → ')));
  ex.on('$exchange.peer.*', (m) => log(m.name + ' ' + JSON.stringify(m.value)));
  function showTrace(reply) {
    const t0 = reply.trace[0].at;
    return '<div class="trace">' + reply.trace.map((h) =>
      '<span class="hop">' + h.ex + '<small>+' + (h.at - t0) + ' ms</small></span>').join(' → ') + '</div>';
  }
  async function ask(value) {
    try {
      const reply = await ex.requestMessage('users.list', value, { timeout: 3000 });
      const rows = reply.value.map((u) => '<tr><td>' + u.id + '</td><td>' + u.name + '</td><td>' + u.role + '</td></tr>').join('');
      $('result').innerHTML = '<table><tr><th>id</th><th>name</th><th>role</th></tr>' + rows + '</table>' + showTrace(reply);
      window.lastTrace = reply.trace.map((h) => h.ex);
    } catch (e) {
      $('result').innerHTML = '<p class="err">' + e.code + ': ' + e.message + '</p>';
    }
  }
  $('all').onclick = () => ask({});
  $('admins').onclick = () => ask({ role: 'admin' });
  $('nobody').onclick = async () => {
    try { await ex.request('nobody.home'); } catch (e) { $('result').innerHTML = '<p class="err">' + e.code + ': ' + e.message + '</p>'; }
  };
  await ex.connect({ transport: 'websocket', url: (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws' });
  await ex.reachable('users.list', { timeout: 5000 });
  $('status').textContent = 'connected as ' + id;
  window.demoReady = true;
</script>
</body>
</html>
`;
