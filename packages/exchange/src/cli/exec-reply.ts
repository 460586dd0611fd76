/**
 * `exchange handle --exec`: answer a request by running a shell command. The request's value goes
 * to the command's stdin as JSON; its stdout is the reply (JSON if it parses, else the text); a
 * non-zero exit is an error whose data carries the exit code and the end of stderr.
 */
import { spawn } from 'node:child_process';
import { ExchangeError, type Envelope } from '../index.js';

/** Most stdout kept from a command (the hub's default message limit is 1 MiB). */
const MAX_OUTPUT = 1024 * 1024;
/** The end of stderr kept for the error's message and data. */
const STDERR_TAIL = 2000;

/** What a failing command's error carries as `data` (the requester sees it in its RemoteError). */
export interface CommandFailure {
  exitCode: number | null;
  signal: string | null;
  stderr: string;
}

/**
 * Run `command` through the shell for one request.
 * @param command - a shell command line.
 * @param msg - the request: its value is written to stdin as JSON; its name, sender and id are
 *   in the environment as EXCHANGE_NAME, EXCHANGE_FROM and EXCHANGE_MESSAGE_ID.
 * @param timeoutMs - the command is killed (SIGTERM) after this long.
 * @returns the reply: stdout parsed as JSON, or as text if it is not JSON (`null` if empty).
 * @throws {ExchangeError} `INTERNAL` if it exits non-zero, is killed or cannot start (data:
 *   `CommandFailure`); `TOO_LARGE` if it writes more than 1 MiB.
 */
export function execReply(command: string, msg: Envelope, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, {
      shell: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: Math.max(1, timeoutMs),
      env: {
        ...process.env,
        EXCHANGE_NAME: msg.name,
        EXCHANGE_FROM: msg.from,
        EXCHANGE_MESSAGE_ID: msg.id,
      },
    });
    let stdout = '';
    let stderr = '';
    let tooLarge = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.length > MAX_OUTPUT && !tooLarge) {
        tooLarge = true;
        child.kill();
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL);
    });
    // A command that does not read its stdin (`echo ok`) closes the pipe: not an error.
    child.stdin.on('error', () => {});
    child.stdin.end(JSON.stringify(msg.value ?? null) + '\n');
    child.once('error', (e) =>
      reject(new ExchangeError('INTERNAL', `cannot run '${command}': ${e.message}`)),
    );
    child.once('close', (code, signal) => {
      if (tooLarge)
        return reject(new ExchangeError('TOO_LARGE', `'${command}' wrote more than 1 MiB`));
      if (code === 0) return resolve(parseOutput(stdout));
      const data: CommandFailure = { exitCode: code, signal, stderr };
      const how = signal !== null ? `was killed by ${signal}` : `exited with code ${code}`;
      const last = stderr.trim().split('\n').pop();
      reject(
        new ExchangeError('INTERNAL', `'${command}' ${how}${last ? `: ${last}` : ''}`, { data }),
      );
    });
  });
}

function parseOutput(stdout: string): unknown {
  const text = stdout.trim();
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return stdout.replace(/\r?\n$/, '');
  }
}
