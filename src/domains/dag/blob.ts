/**
 * How store.dag's blobs are stored: bytes, deflated by the codec above its threshold,
 * with the row's own `compressed` flag, so that rows written under other settings read back.
 * A blob that does not decode rejects that one read with FLOWSTORE_CORRUPT, naming the row.
 */
import { fromJsonText, toJsonText, type Codec } from '../../codec.ts';
import { FlowstoreError, isFlowstoreError } from '../../errors.ts';
import type { BlobRow } from './statements.ts';

export interface EncodedBlob {
  data: Uint8Array;
  compressed: 0 | 1;
  size: number;
}

export function encodeBlob(codec: Codec, bytes: Uint8Array): EncodedBlob {
  const { data, compressed } = codec.encodeBytes(bytes);
  return { data, compressed: compressed ? 1 : 0, size: bytes.byteLength };
}

/** A value (an execution tree) as UTF-8 JSON bytes, encoded like any blob. */
export function encodeJsonBlob(codec: Codec, value: unknown): EncodedBlob {
  return encodeBlob(codec, Buffer.from(toJsonText(value), 'utf8'));
}

/** Runs a decode; a FLOWSTORE_CORRUPT it throws gains the table and DAG of the row. */
export function decoding<T>(table: string, dagId: string, decode: () => T): T {
  try {
    return decode();
  } catch (cause) {
    if (isFlowstoreError(cause) && cause.code === 'FLOWSTORE_CORRUPT') {
      throw new FlowstoreError('FLOWSTORE_CORRUPT', `${table} row of DAG ${JSON.stringify(dagId)}: ${cause.message}`, {
        details: { ...cause.details, table, dagId }, cause,
      });
    }
    throw cause;
  }
}

/**
 * The blob's bytes, in a buffer of their own. pg returns small bytea values as views
 * into a shared pool, and a view crosses to the caller's thread with its whole buffer:
 * other rows' bytes would travel (and be readable) with it. node:sqlite's blobs and
 * inflated ones own their buffer already and are returned as they are.
 */
export function decodeBlob(codec: Codec, row: BlobRow): Uint8Array {
  const bytes = codec.decodeBytes(row.data, row.compressed);
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes);
}

export function decodeJsonBlob(codec: Codec, row: BlobRow): unknown {
  const bytes = decodeBlob(codec, row);
  return fromJsonText(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
}
