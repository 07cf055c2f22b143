/**
 * The sorts of a segmentation as tasks a worker thread can run over shared memory: customer ids as UTF-16 code
 * units in a SharedArrayBuffer (threads share no strings), a range of them sorted by id, and a stable sort of
 * the id order by one numeric key. Pure: the same task gives the same rows on any thread, which is what makes
 * the parallel compute identical to the one-thread one. Imports nothing with side effects (the worker loads it).
 */
import { sortByWords, stableSortByKey } from '#shared/segments/rfm-quintiles.ts';

/** Customer ids, concatenated: id `row` is `codes[offsets[row] .. offsets[row + 1])`. */
export interface EncodedIds {
  /** Bytes when every id is ASCII (the ids Kinship issues), else UTF-16 code units. */
  codes: Uint8Array | Uint16Array;
  offsets: Int32Array;
}

/** The purchasers whose id is in (`after`, `upTo`], sorted by id; -1 leaves that side open. Bounds are rows. */
export interface IdRangeTask {
  kind: 'ids';
  ids: EncodedIds;
  rows: Int32Array;
  after: number;
  upTo: number;
}

/** `order` (the id order) stably sorted by `key[row]` ascending. */
export interface KeyTask {
  kind: 'key';
  order: Int32Array;
  key: Float64Array;
}

export type RankTask = IdRangeTask | KeyTask;

/** Typed arrays over SharedArrayBuffers, so a task posted to a worker carries no copy. */
export function sharedInt32(length: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(length * Int32Array.BYTES_PER_ELEMENT));
}

export function sharedFloat64(from: Float64Array): Float64Array {
  const out = new Float64Array(new SharedArrayBuffer(from.length * Float64Array.BYTES_PER_ELEMENT));
  out.set(from);
  return out;
}

/** The ids' code units in shared memory: the order of JavaScript's `<`, so sorts agree with `sortByCustomerId`. */
export function encodeIds(ids: readonly string[]): EncodedIds {
  // One flat string, encoded natively; for ASCII one byte per code unit is the same order as the string's.
  const all = ids.join('');
  const bytes = new Uint8Array(new SharedArrayBuffer(all.length));
  const { read, written } = new TextEncoder().encodeInto(all, bytes);
  let codes: Uint8Array | Uint16Array = bytes;
  if (read !== all.length || written !== all.length) {
    const units = new Uint16Array(new SharedArrayBuffer(all.length * Uint16Array.BYTES_PER_ELEMENT));
    for (let i = 0; i < all.length; i++) units[i] = all.charCodeAt(i);
    codes = units;
  }
  const offsets = sharedInt32(ids.length + 1);
  let at = 0;
  ids.forEach((id, row) => {
    offsets[row] = at;
    at += id.length;
  });
  offsets[ids.length] = at;
  return { codes, offsets };
}

/** Compares the ids of two rows by code unit, a shorter prefix first — JavaScript's string order. */
export function compareRows(ids: EncodedIds, a: number, b: number): number {
  const { codes, offsets } = ids;
  const startA = offsets[a] ?? 0;
  const startB = offsets[b] ?? 0;
  const lengthA = (offsets[a + 1] ?? 0) - startA;
  const lengthB = (offsets[b + 1] ?? 0) - startB;
  const common = Math.min(lengthA, lengthB);
  for (let i = 0; i < common; i++) {
    const d = (codes[startA + i] ?? 0) - (codes[startB + i] ?? 0);
    if (d !== 0) return d;
  }
  return lengthA - lengthB;
}

/**
 * `parts - 1` rows whose ids split `rows` into `parts` ranges of about equal size: an evenly spaced sample,
 * sorted. Only balance depends on the sample; which id lands in which range is exact either way.
 */
export function idSplitters(ids: EncodedIds, rows: Int32Array, parts: number): number[] {
  if (parts <= 1 || rows.length === 0) return [];
  const size = Math.min(rows.length, 256 * parts);
  const sample = Array.from({ length: size }, (_, i) => rows[Math.floor((i * rows.length) / size)] ?? 0);
  sample.sort((a, b) => compareRows(ids, a, b));
  return Array.from({ length: parts - 1 }, (_, p) => sample[Math.floor(((p + 1) * size) / parts)] ?? 0);
}

export function runRankTask(task: RankTask): Int32Array {
  return task.kind === 'key' ? stableSortByKey(task.order, task.key) : sortIdRange(task);
}

function sortIdRange({ ids, rows, after, upTo }: IdRangeTask): Int32Array {
  const picked: number[] = [];
  for (const row of rows) {
    if (after >= 0 && compareRows(ids, row, after) <= 0) continue;
    if (upTo >= 0 && compareRows(ids, row, upTo) > 0) continue;
    picked.push(row);
  }
  return sortRowsById(ids, Int32Array.from(picked));
}

/**
 * Sorts rows by id: the first 8 code units after the rows' common prefix packed into two 32-bit words (a unit
 * + 1 per byte, 0 once the id ended), one LSD radix sort of those words (sequential memory, no strings), then a
 * comparator sort of each run of equal words. Ids with a unit past 254 (not ASCII) take the comparator alone.
 */
export function sortRowsById(ids: EncodedIds, rows: Int32Array): Int32Array {
  const { codes, offsets } = ids;
  const m = rows.length;
  if (m < 2) return rows;
  if (!(codes instanceof Uint8Array)) return comparatorSorted(ids, rows);
  const first = rows[0] ?? 0;
  const firstStart = offsets[first] ?? 0;
  let common = (offsets[first + 1] ?? 0) - firstStart;
  for (let i = 1; i < m && common > 0; i++) {
    const row = rows[i] ?? 0;
    const start = offsets[row] ?? 0;
    const length = Math.min(common, (offsets[row + 1] ?? 0) - start);
    let k = 0;
    while (k < length && codes[start + k] === codes[firstStart + k]) k++;
    common = k;
  }
  const high = new Uint32Array(m);
  const low = new Uint32Array(m);
  for (let i = 0; i < m; i++) {
    const row = rows[i] ?? 0;
    const start = (offsets[row] ?? 0) + common;
    const length = (offsets[row + 1] ?? 0) - start;
    let h = 0;
    let l = 0;
    for (let d = 0; d < 4; d++) h = ((h << 8) | (d < length ? (codes[start + d] ?? 0) + 1 : 0)) >>> 0;
    for (let d = 4; d < 8; d++) l = ((l << 8) | (d < length ? (codes[start + d] ?? 0) + 1 : 0)) >>> 0;
    high[i] = h;
    low[i] = l;
  }
  const positions = sortByWords(
    Int32Array.from({ length: m }, (_, i) => i),
    high.slice(),
    low.slice(),
  );
  const out = new Int32Array(m);
  for (let i = 0; i < m; i++) out[i] = rows[positions[i] ?? 0] ?? 0;
  // Equal words share their first 8 units after the prefix: the rest decides.
  for (let lo = 0; lo < m; ) {
    const at = positions[lo] ?? 0;
    let hi = lo + 1;
    while (hi < m && high[positions[hi] ?? 0] === high[at] && low[positions[hi] ?? 0] === low[at]) hi++;
    if (hi - lo > 1) comparatorSort(ids, out, lo, hi);
    lo = hi;
  }
  return out;
}

function comparatorSorted(ids: EncodedIds, rows: Int32Array): Int32Array {
  const out = Int32Array.from(rows);
  comparatorSort(ids, out, 0, out.length);
  return out;
}

function comparatorSort(ids: EncodedIds, a: Int32Array, lo: number, hi: number): void {
  const part = Array.from(a.subarray(lo, hi));
  part.sort((x, y) => compareRows(ids, x, y));
  a.set(part, lo);
}

/** Narrows a posted message to a task (what the worker receives is whatever the main thread sent). */
export function isRankTask(value: unknown): value is RankTask {
  if (typeof value !== 'object' || value === null || !('kind' in value)) return false;
  if (value.kind === 'key') return 'order' in value && value.order instanceof Int32Array && 'key' in value && value.key instanceof Float64Array;
  if (value.kind !== 'ids') return false;
  if (
    !(
      'rows' in value &&
      value.rows instanceof Int32Array &&
      'after' in value &&
      typeof value.after === 'number' &&
      'upTo' in value &&
      typeof value.upTo === 'number'
    )
  )
    return false;
  if (!('ids' in value) || typeof value.ids !== 'object' || value.ids === null) return false;
  return (
    'codes' in value.ids &&
    (value.ids.codes instanceof Uint8Array || value.ids.codes instanceof Uint16Array) &&
    'offsets' in value.ids &&
    value.ids.offsets instanceof Int32Array
  );
}
