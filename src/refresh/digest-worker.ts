// A digest worker thread: says when its modules are loaded, then runs digestFeed on what the pool
// posts and posts back the outcome.
import { parentPort } from 'node:worker_threads';
import { digestFeed, type DigestInput } from './digest.js';
import type { DigestRequest, DigestWorkerMessage } from './digest-pool.js';
import { messageOf } from '../core/errors.js';

if (!parentPort) throw new Error('refresh: digest-worker runs only as a worker thread');
const port = parentPort;

port.on('message', (request: DigestRequest) => {
  void answer(request.id, request.input).then((reply) => port.postMessage(reply));
});
// The pool starts a digest's time budget only now: loading the modules is not the feed's doing.
port.postMessage({ kind: 'ready' } satisfies DigestWorkerMessage);

async function answer(id: number, input: DigestInput): Promise<DigestWorkerMessage> {
  try {
    return { kind: 'done', id, output: await digestFeed(input) };
  } catch (error) {
    const message = messageOf(error);
    return { kind: 'failed', id, message, stack: error instanceof Error ? error.stack : undefined };
  }
}
