// Child processes for the benchmarks, spoken to over IPC: the built script beside this one when
// the benchmarks run built (as `npm run bench` runs them), else the TypeScript through tsx.
import { fork, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export interface Child {
  process: ChildProcess;
  /** Sends a message and resolves with the next message whose cmd is `reply`. */
  ask<T extends { cmd: string }>(message: { cmd: string }, reply: string): Promise<T>;
  next<T extends { cmd: string }>(cmd: string): Promise<T>;
  stop(): Promise<void>;
}

export function startChild(script: string, args: string[], execArgv: string[] = []): Child {
  const built = import.meta.url.endsWith('.js');
  const child = fork(resolve(import.meta.dirname, '..', built ? script.replace(/\.ts$/, '.js') : script), args, {
    execArgv: built ? execArgv : ['--import', 'tsx', ...execArgv],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = <T extends { cmd: string }>(cmd: string) =>
    new Promise<T>((resolvePromise, reject) => {
      const onMessage = (message: T) => {
        if (message.cmd !== cmd) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolvePromise(message);
      };
      const onExit = (code: number | null) => reject(new Error(`bench: ${script} exited (${code}) before '${cmd}'`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  return {
    process: child,
    next,
    ask: (message, reply) => {
      const answer = next<never>(reply);
      child.send(message);
      return answer;
    },
    stop: () =>
      new Promise((resolvePromise) => {
        if (child.exitCode !== null) return resolvePromise();
        child.once('exit', () => resolvePromise());
        child.send({ cmd: 'exit' });
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}
