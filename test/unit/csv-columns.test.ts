import { describe, expect, it } from 'vitest';
import { ImportInputError } from '#shared/imports/import-errors.ts';
import { columnLabel, fieldNamed, parseColumnMapping, resolveColumns } from '#shared/imports/csv-columns.ts';

const shopifyLike = ['Order ID', 'Created At', 'E-mail', 'Product SKU', 'Product Name', 'Product Type', 'Qty', 'Unit Price', 'Billing Country', 'Notes'];

describe('resolveColumns', () => {
  it('maps header aliases regardless of case, spaces, dashes and underscores, and ignores unknown columns', () => {
    const layout = resolveColumns(shopifyLike);
    expect(layout.index).toEqual({ orderId: 0, date: 1, email: 2, sku: 3, name: 4, category: 5, quantity: 6, price: 7, country: 8 });
    expect(columnLabel(layout, 'quantity')).toBe('Qty');
    expect(columnLabel(layout, 'currency')).toBe('currency');
  });

  it('accepts a customer id column instead of an email column', () => {
    const layout = resolveColumns(['order_id', 'date', 'customer_id', 'sku', 'name', 'category', 'quantity', 'price', 'country']);
    expect(layout.index.customerId).toBe(2);
    expect(layout.index.email).toBeUndefined();
  });

  it('lets --map name a column whose header is not an alias, and take it away from an alias match', () => {
    const header = ['Bestellnummer', 'Datum', 'email', 'sku', 'name', 'category', 'qty', 'price', 'country', 'Order'];
    const layout = resolveColumns(header, { orderId: 'bestellnummer', date: 'Datum' });
    expect(layout.index.orderId).toBe(0);
    expect(layout.index.date).toBe(1);
  });

  it('lists every problem at once: missing columns, ambiguous columns and mapped headers that do not exist', () => {
    let message = '';
    try {
      resolveColumns(['order_id', 'order_number', 'sku', 'name'], { price: 'Preis' });
    } catch (error) {
      expect(error).toBeInstanceOf(ImportInputError);
      message = error instanceof Error ? error.message : '';
    }
    expect(message).toContain('--map price="Preis": the file has no such column');
    expect(message).toContain('"order_id" and "order_number" both look like orderId');
    expect(message).toContain('no column found for orderId, date, quantity, price, email or customerId');
    expect(message).toContain('The file\'s header is: "order_id", "order_number", "sku", "name"');
  });
});

describe('headers of real exports', () => {
  it('reads an "Online Retail" export: InvoiceNo, StockCode, Description, InvoiceDate, UnitPrice, CustomerID, no category', () => {
    const layout = resolveColumns(['InvoiceNo', 'StockCode', 'Description', 'Quantity', 'InvoiceDate', 'UnitPrice', 'CustomerID', 'Country']);
    expect(layout.index).toEqual({ orderId: 0, sku: 1, name: 2, quantity: 3, date: 4, price: 5, customerId: 6, country: 7 });
  });

  it('reads a Shopify export: Name is the order when there is a Lineitem name, billing country and creation time win', () => {
    const layout = resolveColumns([
      'Name',
      'Email',
      'Paid at',
      'Created at',
      'Discount Code',
      'Lineitem quantity',
      'Lineitem name',
      'Lineitem price',
      'Lineitem sku',
      'Billing Name',
      'Billing Country',
      'Shipping Country',
    ]);
    expect(layout.index).toEqual({ orderId: 0, email: 1, date: 3, couponCodes: 4, quantity: 5, name: 6, price: 7, sku: 8, customerName: 9, country: 10 });
  });

  it('takes the shipping country or the payment time when the file has nothing better', () => {
    const layout = resolveColumns(['Invoice', 'Paid at', 'Email', 'sku', 'name', 'qty', 'price', 'Shipping Country']);
    expect(layout.index).toMatchObject({ orderId: 0, date: 1, country: 7 });
  });

  it('reads coupon columns by their usual names', () => {
    for (const header of ['coupon', 'Coupon Code', 'couponcodes', 'Discount Codes', 'promo_code', 'Voucher Code']) {
      expect(resolveColumns(['order', 'date', 'email', 'sku', 'name', 'qty', 'price', header]).index.couponCodes).toBe(7);
    }
  });
});

describe('parseColumnMapping', () => {
  it('reads comma-separated and repeated field=Header pairs, by field name or alias', () => {
    expect(parseColumnMapping(['orderId=Order No, email = E-mail', 'qty=Stück'])).toEqual({ orderId: 'Order No', email: 'E-mail', quantity: 'Stück' });
    expect(fieldNamed('unit_price')).toBe('price');
  });

  it('refuses unknown fields, missing "=" and two headers for one field', () => {
    expect(() => parseColumnMapping(['colour=Farbe'])).toThrow(/unknown field "colour"/);
    expect(() => parseColumnMapping(['orderId'])).toThrow(/expected field=Header/);
    expect(() => parseColumnMapping(['orderId=A', 'orderId=B'])).toThrow(/two columns for orderId/);
  });
});
