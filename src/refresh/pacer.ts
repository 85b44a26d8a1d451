// How a pass paces its sources: separate bounds for waiting on the network and for working.
// Parse, sanitize and store are CPU work on this thread; a server that has not answered costs
// only a socket. So a fetch that stalls stops holding back the pass, while open requests stay
// bounded, and answered feeds are worked on at most `concurrency` at a time.

export interface PacerLimits {
  /** Sources fetching (not stalled) or being worked on at once; also the bound on work at once. */
  concurrency: number;
  /** Requests open at once, stalled ones included. */
  maxOpenFetches: number;
  /**
   * The least time after which an unanswered fetch counts as stalled: it keeps its socket but no
   * longer holds back the pass. The pass waits longer when its servers answer slowly (STALL_FACTOR).
   */
  stallAfterMs: number;
}

/**
 * A fetch counts as stalled once it has waited this many times as long as the pass's answers
 * typically take (a moving average), and never before `stallAfterMs` (with no answer yet to go
 * by, after FIRST_STALL_FACTOR times it). A slow but healthy server is then not taken for a
 * hanging one (and one taken for stalled still answers: it only stops holding a place), while
 * hanging sources cost the pass little beyond one timeout: at 4, 100 hanging sources of 1,000
 * held the others back ~0.3 s on loopback and left the pass ~0.01 s inside one timeout; at 2,
 * ~0.2–0.5 s inside.
 */
export const STALL_FACTOR = 2;

/** With no answer yet to go by, a fetch counts as stalled after this many times `stallAfterMs`. */
export const FIRST_STALL_FACTOR = 20;

/** Weight of the newest answer time in the moving average. */
const AVERAGE_WEIGHT = 0.2;

/** What one source's refresh goes through: the fetch, then the work on its answer. */
export interface Pacing {
  fetch<T>(run: () => Promise<T>): Promise<T>;
  work<T>(run: () => Promise<T>): Promise<T>;
}

/** The most each bound was ever used in a pass (for tests and the bench). */
export interface PacerPeaks {
  open: number;
  working: number;
}

/**
 * Admits sources one by one: a source is admitted when fewer than `concurrency` admitted ones
 * still hold their place and fewer than `maxOpenFetches` requests are open. A source holds its
 * place until it is done, except that a stalled fetch gives it up; when that fetch answers, its
 * work still waits for one of the `concurrency` work slots.
 */
export class Pacer {
  private open = 0;
  private pending = 0;
  private working = 0;
  private readonly workQueue: (() => void)[] = [];
  private admitWaiter: (() => void) | undefined;
  private typicalAnswerMs: number | undefined;
  readonly peaks: PacerPeaks = { open: 0, working: 0 };

  constructor(private readonly limits: PacerLimits) {}

  /** Resolves when one more source may start; its ticket must be finished whatever happens. */
  async admit(): Promise<Ticket> {
    while (!this.canAdmit()) await new Promise<void>((resolve) => (this.admitWaiter = resolve));
    this.pending += 1;
    return new Ticket(this);
  }

  private canAdmit(): boolean {
    return this.pending < this.limits.concurrency && this.open < this.limits.maxOpenFetches;
  }

  /** @internal Ticket bookkeeping. */
  change(delta: { open?: number; pending?: number; working?: number }): void {
    this.open += delta.open ?? 0;
    this.pending += delta.pending ?? 0;
    this.working += delta.working ?? 0;
    this.peaks.open = Math.max(this.peaks.open, this.open);
    this.peaks.working = Math.max(this.peaks.working, this.working);
    this.pump();
  }

  /** @internal Resolves when a work slot is free (first come, first served). */
  waitForWorkSlot(): Promise<void> {
    return new Promise((resolve) => {
      this.workQueue.push(resolve);
      this.pump();
    });
  }

  /** How long a fetch starting now may wait before it counts as stalled. */
  stallAfterMs(): number {
    const floor = this.limits.stallAfterMs;
    if (this.typicalAnswerMs === undefined) return floor * FIRST_STALL_FACTOR;
    return Math.max(floor, this.typicalAnswerMs * STALL_FACTOR);
  }

  /** @internal A fetch answered (or failed) after `ms`, before it counted as stalled. */
  noteAnswer(ms: number): void {
    const typical = this.typicalAnswerMs;
    this.typicalAnswerMs = typical === undefined ? ms : typical + (ms - typical) * AVERAGE_WEIGHT;
  }

  private pump(): void {
    while (this.working < this.limits.concurrency && this.workQueue.length > 0) {
      this.working += 1;
      this.peaks.working = Math.max(this.peaks.working, this.working);
      this.workQueue.shift()?.();
    }
    if (this.admitWaiter && this.canAdmit()) {
      const wake = this.admitWaiter;
      this.admitWaiter = undefined;
      wake();
    }
  }
}

/** One admitted source's share of the bounds; `finish` gives back whatever it still holds. */
export class Ticket implements Pacing {
  private holdsPending = true;
  private holdsOpen = false;
  private holdsWork = false;

  constructor(private readonly pacer: Pacer) {}

  async fetch<T>(run: () => Promise<T>): Promise<T> {
    this.pacer.change({ open: 1 });
    this.holdsOpen = true;
    const stall = setTimeout(() => this.releasePending(), this.pacer.stallAfterMs());
    const started = performance.now();
    try {
      return await run();
    } finally {
      clearTimeout(stall);
      // Only answers that came before the stall: a timeout says nothing of typical servers.
      if (this.holdsPending) this.pacer.noteAnswer(performance.now() - started);
      this.holdsOpen = false;
      this.pacer.change({ open: -1 });
    }
  }

  async work<T>(run: () => Promise<T>): Promise<T> {
    await this.pacer.waitForWorkSlot();
    this.holdsWork = true;
    try {
      return await run();
    } finally {
      this.holdsWork = false;
      this.pacer.change({ working: -1 });
    }
  }

  finish(): void {
    this.releasePending();
    if (this.holdsOpen) {
      this.holdsOpen = false;
      this.pacer.change({ open: -1 });
    }
    if (this.holdsWork) {
      this.holdsWork = false;
      this.pacer.change({ working: -1 });
    }
  }

  private releasePending(): void {
    if (!this.holdsPending) return;
    this.holdsPending = false;
    this.pacer.change({ pending: -1 });
  }
}
