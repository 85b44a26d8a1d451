import cron from 'node-cron';
import { describe, expect, it } from 'vitest';
import { memoryLog } from '../../test/fixtures/refresh/memory-log.js';
import { previousTick, startScheduler, type CreateCronTask } from './scheduler.js';

/** A cron that never fires by itself: the test calls `tick()`. */
function fakeCron() {
  const state = { expression: '', tick: () => {}, created: 0, destroyed: 0 };
  const createTask: CreateCronTask = (expression, tick) => {
    state.created += 1;
    state.expression = expression;
    state.tick = tick;
    return { destroy: () => void (state.destroyed += 1) };
  };
  return { state, createTask };
}

/** A pass the test finishes by hand. */
function controlledPasses() {
  const calls: { trigger: string; signal: AbortSignal; finish: () => void }[] = [];
  const runPass = (trigger: string, signal: AbortSignal) =>
    new Promise<void>((resolve) => calls.push({ trigger, signal, finish: resolve }));
  return { calls, runPass };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('startScheduler', () => {
  it("starts nothing when the schedule is 'off'", async () => {
    const cronFake = fakeCron();
    const passes = controlledPasses();
    const scheduler = startScheduler({ schedule: 'off', runPass: passes.runPass, log: memoryLog().log, createTask: cronFake.createTask });
    expect(cronFake.state.created).toBe(0);
    await scheduler.stop();
    expect(passes.calls).toHaveLength(0);
  });

  it('runs a pass on each tick', async () => {
    const cronFake = fakeCron();
    const passes = controlledPasses();
    const scheduler = startScheduler({ schedule: '*/30 * * * *', runPass: passes.runPass, log: memoryLog().log, createTask: cronFake.createTask });
    expect(cronFake.state.expression).toBe('*/30 * * * *');
    cronFake.state.tick();
    expect(passes.calls.map((c) => c.trigger)).toEqual(['schedule']);
    passes.calls[0]?.finish();
    await flush();
    cronFake.state.tick();
    expect(passes.calls).toHaveLength(2);
    passes.calls[1]?.finish();
    await scheduler.stop();
  });

  it('skips a tick while a pass is still running, and logs it', async () => {
    const cronFake = fakeCron();
    const passes = controlledPasses();
    const memory = memoryLog();
    const scheduler = startScheduler({ schedule: '* * * * *', runPass: passes.runPass, log: memory.log, createTask: cronFake.createTask });
    const startup = scheduler.runNow('startup');
    expect(scheduler.busy).toBe(true);
    cronFake.state.tick();
    cronFake.state.tick();
    expect(await scheduler.runNow('manual')).toBe('skipped');
    expect(passes.calls.map((c) => c.trigger)).toEqual(['startup']);
    expect(memory.warnings().map((l) => l.trigger)).toEqual(['schedule', 'schedule', 'manual']);
    passes.calls[0]?.finish();
    expect(await startup).toBe('ran');
    expect(scheduler.busy).toBe(false);
    await scheduler.stop();
  });

  it('requestRun runs at once when idle, else once after the running pass, however often asked', async () => {
    const cronFake = fakeCron();
    const passes = controlledPasses();
    const scheduler = startScheduler({ schedule: '* * * * *', runPass: passes.runPass, log: memoryLog().log, createTask: cronFake.createTask });
    scheduler.requestRun('config');
    expect(passes.calls.map((c) => c.trigger)).toEqual(['config']);
    scheduler.requestRun('config-2');
    scheduler.requestRun('config-3');
    expect(passes.calls).toHaveLength(1);
    passes.calls[0]?.finish();
    await flush();
    await flush();
    expect(passes.calls.map((c) => c.trigger)).toEqual(['config', 'config-2']);
    passes.calls[1]?.finish();
    await flush();
    expect(passes.calls).toHaveLength(2);
    await scheduler.stop();
    scheduler.requestRun('late');
    expect(passes.calls).toHaveLength(2);
  });

  it('stop() aborts the running pass, waits for it, and destroys the cron task', async () => {
    const cronFake = fakeCron();
    const passes = controlledPasses();
    const scheduler = startScheduler({ schedule: '* * * * *', runPass: passes.runPass, log: memoryLog().log, createTask: cronFake.createTask });
    void scheduler.runNow('startup');
    let stopped = false;
    const stopping = scheduler.stop().then(() => (stopped = true));
    await flush();
    expect(passes.calls[0]?.signal.aborted).toBe(true);
    expect(cronFake.state.destroyed).toBe(1);
    expect(stopped).toBe(false);
    passes.calls[0]?.finish();
    await stopping;
    expect(stopped).toBe(true);
    expect(await scheduler.runNow('late')).toBe('skipped');
    expect(passes.calls).toHaveLength(1);
  });

  it('logs a failing pass and keeps going', async () => {
    const cronFake = fakeCron();
    const memory = memoryLog();
    let runs = 0;
    const runPass = async () => {
      runs += 1;
      if (runs === 1) throw new Error('store: disk full');
    };
    const scheduler = startScheduler({ schedule: '* * * * *', runPass, log: memory.log, createTask: cronFake.createTask });
    expect(await scheduler.runNow('schedule')).toBe('ran');
    expect(await scheduler.runNow('schedule')).toBe('ran');
    expect(runs).toBe(2);
    expect(memory.lines.find((l) => l.msg === 'poll pass failed')).toMatchObject({ level: 50, trigger: 'schedule' });
    await scheduler.stop();
  });

  it('registers a real node-cron task whose execution runs a pass, and removes it on stop', async () => {
    const before = new Set(cron.getTasks().keys());
    let runs = 0;
    const scheduler = startScheduler({ schedule: '0 0 1 1 *', runPass: async () => void (runs += 1), log: memoryLog().log });
    const added = [...cron.getTasks().entries()].filter(([id]) => !before.has(id));
    expect(added).toHaveLength(1);
    await added[0]?.[1].execute();
    await flush();
    expect(runs).toBe(1);
    await scheduler.stop();
    expect(cron.getTasks().has(added[0]?.[0] ?? '')).toBe(false);
  });
});

describe('previousTick', () => {
  const at = (iso: string) => new Date(iso).getTime();
  it('finds the last time at or before now that the schedule fired for, in minutes or seconds', () => {
    const now = new Date(2026, 5, 1, 10, 47, 13, 500).getTime();
    expect(previousTick('*/30 * * * *', now)).toBe(new Date(2026, 5, 1, 10, 30).getTime());
    expect(previousTick('*/5 * * * * *', now)).toBe(new Date(2026, 5, 1, 10, 47, 10).getTime());
    expect(previousTick('0 3 * * *', now)).toBe(new Date(2026, 5, 1, 3, 0).getTime());
  });

  it('gives the start of a week back for a schedule that fired longer ago', () => {
    const now = at('2026-06-01T10:47:00Z');
    expect(previousTick('0 0 1 1 *', now)).toBe(now - 7 * 24 * 60 * 60_000);
  });
});
