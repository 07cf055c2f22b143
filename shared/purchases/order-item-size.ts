/**
 * DynamoDB's item size, as AWS documents it: attribute names and string values by their UTF-8 bytes, numbers by
 * about one byte per two significant digits plus one, lists and maps 3 bytes plus 1 per element. An upper bound is
 * enough: it decides whether an order's item fits DynamoDB's 400 KB limit before anything is written.
 */
export const MAX_ITEM_BYTES = 400 * 1024;
/** Room kept under the limit for attributes written after the order (event flags, attribution, redemptions). */
export const ORDER_ITEM_HEADROOM_BYTES = 16 * 1024;

export function itemBytes(item: Record<string, unknown>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) if (value !== undefined) bytes += Buffer.byteLength(name) + valueBytes(value);
  return bytes;
}

function valueBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number')
    return (
      Math.ceil(
        String(Math.abs(value))
          .replace(/[.e+-]/g, '')
          .replace(/^0+/, '').length / 2,
      ) + 1
    );
  if (typeof value === 'boolean' || value === null) return 1;
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, element: unknown) => sum + 1 + valueBytes(element), 0);
  if (value instanceof Set) return [...value].reduce((sum: number, element: unknown) => sum + valueBytes(element), 0);
  if (typeof value === 'object') {
    let bytes = 3;
    for (const [name, inner] of Object.entries(value)) if (inner !== undefined) bytes += 1 + Buffer.byteLength(name) + valueBytes(inner);
    return bytes;
  }
  return 0;
}

/** Whether an order item leaves room for what is written to it later. */
export function orderItemFits(item: Record<string, unknown>): boolean {
  return itemBytes(item) <= MAX_ITEM_BYTES - ORDER_ITEM_HEADROOM_BYTES;
}

/** The field message for an order whose item would not fit, for the API and the import alike. */
export const ORDER_TOO_LARGE = 'are too many to store as one order (a DynamoDB item holds at most 400 KB)';
