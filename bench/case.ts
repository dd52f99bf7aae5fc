/**
 * A bench case measures one workload through flowstore and through raw node:sqlite
 * doing the same work, in the same process and run, so that their ratio holds even
 * when absolute numbers drift. `bench/run.ts` runs every case in `bench/cases/`.
 */
export interface BenchContext {
  /** A fresh directory for this case's database files. */
  readonly dir: string;
}

export interface BenchPair {
  /** One iteration through flowstore (may issue many operations concurrently). */
  flowstore(): Promise<unknown>;
  /** The same iteration done with raw node:sqlite on the main thread. */
  raw(): unknown;
  /** Untimed, after each stretch of flowstore iterations: lets the store's background work finish before raw runs. */
  readonly drained?: () => Promise<void>;
  /** Extra figures to print beside the timing (compression ratio, sizes…). */
  readonly notes?: () => Record<string, number | string>;
  teardown(): Promise<void>;
}

export interface BenchCase {
  readonly name: string;
  /** Operations one iteration performs (ops/s = ops × iterations/s); per side when they differ. */
  readonly ops: number | { readonly flowstore: number; readonly raw: number };
  /** What "raw" does, in a few words, for the table. */
  readonly rawLabel: string;
  /** The least flowstore/raw ratio the issue asks for, when it sets one. */
  readonly target?: number;
  setup(ctx: BenchContext): Promise<BenchPair>;
}
