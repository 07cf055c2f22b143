/** Key builders for every item type in the single table. */
export const keys = {
  profile: (customerId: string) => ({ PK: `CUST#${customerId}`, SK: 'PROFILE' }),
  order: (orderId: string) => ({ PK: `ORDER#${orderId}`, SK: 'ORDER' }),
  ordersOfCustomer: (customerId: string) => `CUST#${customerId}`,
  orderByCustomer: (customerId: string, purchasedAt: string, orderId: string) => ({
    GSI1PK: `CUST#${customerId}`,
    GSI1SK: `ORDER#${purchasedAt}#${orderId}`,
  }),
  importJob: (importId: string) => ({ PK: `IMPORT#${importId}`, SK: 'JOB' }),
} as const;

/** Attribute-name prefixes for the open-ended aggregates kept as top-level profile attributes. */
export const aggregatePrefix = {
  /** Net spend per product category, in base-currency minor units: `cat#<category>`. */
  category: 'cat#',
  /** Net spend per calendar month (UTC), in base-currency minor units: `mon#YYYY-MM`. */
  month: 'mon#',
} as const;
