/**
 * The single table's key schema, declared once: the CDK stack and the local runtime (CreateTable
 * against DynamoDB Local) both build the table from this. The README's "Table design" section explains it.
 */
export const tableDesign = {
  partitionKey: 'PK',
  sortKey: 'SK',
  /** Epoch seconds; DynamoDB deletes expired items (rate-limit windows, import checkpoints, tokens). */
  timeToLiveAttribute: 'expiresAt',
  globalSecondaryIndexes: [
    /** Sparse: orders by customer (GSI1PK = CUST#id, GSI1SK = ORDER#purchasedAt#orderId). */
    { indexName: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' },
    /** Sparse: segment memberships (GSI2PK = SEG#segment#shard, GSI2SK = customerId), so a segment's members are listed without a scan. */
    { indexName: 'GSI2', partitionKey: 'GSI2PK', sortKey: 'GSI2SK' },
  ],
} as const;
