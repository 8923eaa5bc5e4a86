/**
 * Bookkeeping for one benchmark phase: every message gets a number, its send time is kept by
 * number, and the agent's receipt of that number yields one latency sample. Lost messages are the
 * numbers never received; duplicates are numbers received twice.
 */
import { performance } from "node:perf_hooks";

function grow<T extends Float64Array | Uint8Array>(array: T, size: number): T {
  if (size <= array.length) return array;
  let length = array.length;
  while (length < size) length *= 2;
  const bigger = new (array.constructor as new (length: number) => T)(length);
  bigger.set(array);
  return bigger;
}

export class Ledger {
  private sentAt = new Float64Array(1 << 16);
  private seen = new Uint8Array(1 << 16);
  private latencies = new Float64Array(1 << 16);
  sent = 0;
  acked = 0;
  delivered = 0;
  duplicates = 0;
  /** Receipts of numbers this phase never sent (late frames of an earlier phase). */
  strays = 0;
  errorCount = 0;
  errors: string[] = [];

  /** Numbers messages from `first` on, so phases never share a number. */
  constructor(readonly first: number) {}

  /** The next message's number; its send time is taken now. */
  next(): number {
    const i = this.sent++;
    this.sentAt = grow(this.sentAt, i + 1);
    this.sentAt[i] = performance.now();
    return this.first + i;
  }

  deliver(n: number): void {
    const i = n - this.first;
    if (i < 0 || i >= this.sent) {
      this.strays += 1;
      return;
    }
    this.seen = grow(this.seen, i + 1);
    if (this.seen[i]) {
      this.duplicates += 1;
      return;
    }
    this.seen[i] = 1;
    this.latencies = grow(this.latencies, this.delivered + 1);
    this.latencies[this.delivered++] = performance.now() - this.sentAt[i]!;
  }

  /** Records an error frame or unexpected close; the first few messages are kept. */
  error(message: string): void {
    this.errorCount += 1;
    if (this.errors.length < 5) this.errors.push(message);
  }

  get lost(): number {
    return this.sent - this.delivered;
  }

  get settled(): boolean {
    return this.delivered >= this.sent && this.acked >= this.sent;
  }

  /** Latency percentiles in ms over the samples taken so far (from sample `from` on). */
  percentiles(from = 0): { p50: number; p95: number; p99: number; max: number; count: number } {
    const samples = this.latencies.slice(from, this.delivered).sort();
    const at = (q: number) =>
      samples.length === 0
        ? Number.NaN
        : samples[Math.min(samples.length - 1, Math.ceil(q * samples.length) - 1)]!;
    return {
      p50: at(0.5),
      p95: at(0.95),
      p99: at(0.99),
      max: samples.length ? samples[samples.length - 1]! : Number.NaN,
      count: samples.length,
    };
  }
}
