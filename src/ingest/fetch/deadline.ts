// One timer bounding a whole fetch: every redirect hop and the body read share its signal.

export interface Deadline {
  signal: AbortSignal;
  /** True once the time ran out (tells a timeout from other aborts and errors). */
  expired(): boolean;
  clear(): void;
}

export function startDeadline(timeoutMs: number): Deadline {
  const controller = new AbortController();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    controller.abort(new Error(`fetch: timed out after ${timeoutMs} ms`));
  }, timeoutMs);
  return {
    signal: controller.signal,
    expired: () => expired,
    clear: () => clearTimeout(timer),
  };
}
