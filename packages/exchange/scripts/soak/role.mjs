// A role process of the soak: `node role.mjs <role>` loads roles/<role>.mjs and runs its commands
// as the harness asks over the IPC channel (`{ id, command, args }` → `{ id, result | error }`).
// A role's commands get `emit(type, data)` for events. The process exits when the harness goes.
const name = process.argv[2];
const { commands } = await import(`./roles/${name}.mjs`);

const emit = (type, data = {}) => process.connected && process.send({ ...data, type });

process.on('message', async ({ id, command, args }) => {
  const fn = commands[command];
  try {
    if (!fn) throw new Error(`role ${name} has no command ${command}`);
    const result = await fn(args ?? {}, emit);
    if (process.connected) process.send({ id, result: result ?? null });
  } catch (e) {
    if (process.connected)
      process.send({ id, error: `${e?.code ? `${e.code}: ` : ''}${e?.message ?? e}` });
  }
});
// The harness went away (finished, or was killed): nothing left to do here.
process.on('disconnect', () => process.exit(0));
emit('ready');
