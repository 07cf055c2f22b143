import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadReportData } from '#shared/reports/load-report-data.ts';
import { incentiveFunnel } from '#shared/reports/incentive-funnel.ts';
import { keys } from '#shared/table/keys.ts';
import { createDocumentClient, type Table } from '#shared/table/table-client.ts';
import type { LocalRuntime } from '#local/runtime.ts';
import { recordOrder, send, startCaptureRuntime } from '#test/support/capture-client.ts';
import { onSharedDynamoDb } from '#test/support/test-table.ts';

/** The incentive funnel's "form opened": GET /form records the order's first view, once, through the real route. */
let runtime: LocalRuntime;
let table: Table;

beforeAll(async () => {
  runtime = await startCaptureRuntime(onSharedDynamoDb('capture'));
  table = { doc: createDocumentClient(runtime.urls.dynamodb), name: runtime.tableName };
});
afterAll(() => runtime.stop());

const formPage = (token: string) => send(new URL(`/form/${token}`, runtime.urls.api).toString());
const openedAt = async (orderId: string) =>
  (await table.doc.send(new GetCommand({ TableName: table.name, Key: keys.order(orderId), ConsistentRead: true }))).Item?.formOpenedAt;

describe("GET /form records the first view of an order's form", () => {
  it('marks the order at the first view and keeps that time through reloads', async () => {
    const order = await recordOrder(runtime, { orderId: 'OPEN-1', customerEmail: 'open-1@example.com' });
    expect(await openedAt('OPEN-1')).toBeUndefined();
    expect((await formPage(order.token)).status).toBe(200);
    const first = await openedAt('OPEN-1');
    expect(typeof first === 'string' && !Number.isNaN(Date.parse(first))).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await formPage(order.token)).status).toBe(200);
    expect(await openedAt('OPEN-1')).toBe(first);
  });

  it('records nothing for a tampered link', async () => {
    await recordOrder(runtime, { orderId: 'OPEN-2', customerEmail: 'open-2@example.com' });
    expect((await formPage('not-a-token')).status).toBe(404);
    expect(await openedAt('OPEN-2')).toBeUndefined();
  });

  it("counts opened forms in the report's incentive funnel", async () => {
    const { data } = await loadReportData(table);
    const funnel = incentiveFunnel(data, { from: undefined, to: Date.now() + 86_400_000 });
    const orders = funnel.reduce((n, row) => n + row.orders, 0);
    const opened = funnel.reduce((n, row) => n + row.formOpened, 0);
    expect(orders).toBe(2);
    expect(opened).toBe(1);
  });
});
