import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { configDir } from '#shared/config/load-yaml.ts';
import { loadShopConfig } from '#shared/config/shop-config.ts';
import { createEventBridgeClient } from '#shared/events/publish-events.ts';
import { explainCustomer } from '#shared/segments/explain-customer.ts';
import { loadSegmentsConfig, segmentsJsonSchema } from '#shared/segments/segment-config.ts';
import { runSegmenter, type SegmenterRunSummary } from '#shared/segments/run-segmenter.ts';
import { latestRuns } from '#shared/segments/segment-store.ts';
import type { CliIo, Command } from '../cli-io.ts';
import { tableOptions, tableOptionsHelp, tableTarget } from '../table-target.ts';
import { parseCommandLine, UsageError } from '../usage-error.ts';

const help = `Usage: npx kinship segments <run|list|explain|schema> [options]

  run [--now <iso>]          recompute every segment now (or as of --now, e.g. 2026-12-01T00:00:00Z): writes
                             only the memberships that changed and publishes SegmentEntered / SegmentExited
  list                       members per segment after the last run that changed something, and the change
                             (entered / exited) it made
  explain <customerId>       the customer's segments and why, with the numbers (RFM scores and gold/silver use
                             the boundaries of the last recorded run)
  schema                     regenerate config/schemas/segments.schema.json from the config schema

Options:
  --now <iso>                as-of time for run / explain (default: now; explain: the last run's as-of time)
  --bus-endpoint <url>       EventBridge endpoint for run (env EVENTBRIDGE_ENDPOINT; default the local runtime's
                             bus on http://127.0.0.1:$EVENTS_PORT, port 8010); with --aws, the regional EventBridge
  --bus <name>               event bus name (env EVENT_BUS_NAME; default "kinship"; with --aws the stack output)
  --config-dir <dir>         where segments.yaml and shop.yaml are (env KINSHIP_CONFIG_DIR; default ./config)
  --json                     print JSON instead of text
  -h, --help                 this help

${tableOptionsHelp}
Exit codes: 0 done, 1 failed (the message says what to do next), 2 usage error.
`;

const options = {
  ...tableOptions,
  now: { type: 'string' },
  'bus-endpoint': { type: 'string' },
  bus: { type: 'string' },
  'config-dir': { type: 'string' },
  json: { type: 'boolean' },
} as const;

const n = (value: number) => value.toLocaleString('en-US');

export const segmentsCommand: Command = {
  summary: "run the segmenter, list segment counts, explain a customer's segments",
  help,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandLine(args, options);
    const [action, ...rest] = positionals;
    const dir = values['config-dir'] ?? io.env.KINSHIP_CONFIG_DIR ?? configDir();
    const now = nowOption(values.now);
    if (action === 'schema') {
      const file = join(dir, 'schemas', 'segments.schema.json');
      writeFileSync(file, `${JSON.stringify(segmentsJsonSchema(), null, 2)}\n`);
      io.stdout.write(`wrote ${file}\n`);
      return 0;
    }
    if (action !== 'run' && action !== 'list' && action !== 'explain')
      throw new UsageError(
        action === undefined ? 'name an action: run, list, explain or schema' : `unknown action "${action}": use run, list, explain or schema`,
      );
    if (action === 'explain' ? rest.length !== 1 : rest.length > 0)
      throw new UsageError(
        action === 'explain'
          ? 'explain takes one customer id, e.g. npx kinship segments explain k_3f2a…'
          : `${action} takes no arguments, got ${rest.join(' ')}`,
      );
    const config = loadSegmentsConfig(dir);
    const currency = loadShopConfig(dir).shop.baseCurrency;
    const target = tableTarget(values, io.env);
    try {
      await target.check();
      if (action === 'run') {
        const aws = values.aws === true || io.env.KINSHIP_AWS === '1' || io.env.KINSHIP_AWS === 'true';
        const client = aws
          ? new EventBridgeClient({})
          : createEventBridgeClient(values['bus-endpoint'] ?? io.env.EVENTBRIDGE_ENDPOINT ?? `http://127.0.0.1:${io.env.EVENTS_PORT ?? 8010}`);
        const bus = { client, name: values.bus ?? io.env.EVENT_BUS_NAME ?? 'kinship' };
        try {
          const summary = await runSegmenter({ table: target.table, bus, config, currency }, { now: now ?? new Date() });
          io.stdout.write(values.json ? `${JSON.stringify(summary, null, 2)}\n` : formatRun(summary, target.description));
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          throw new Error(
            `${reason}\nIf the event bus could not be reached, start the local runtime ("npm start") or pass --bus-endpoint. A re-run is safe: changes not yet written are found and published again.`,
            { cause: error },
          );
        } finally {
          client.destroy();
        }
        return 0;
      }
      if (action === 'list') {
        const [latest, previous] = await latestRuns(target.table, 2);
        if (!latest) {
          io.stdout.write('No segmenter run has changed memberships yet. Run "npx kinship segments run".\n');
          return 0;
        }
        if (values.json) {
          io.stdout.write(`${JSON.stringify({ latest, previous }, null, 2)}\n`);
          return 0;
        }
        const lines = [
          `Segments as of ${latest.asOf} (run ${latest.runId}, ${n(latest.profiles)} profiles)${previous ? `; change since the run of ${previous.asOf}` : ''}:`,
          '',
        ];
        lines.push(`  ${'segment'.padEnd(28)}${'members'.padStart(10)}${'change'.padStart(10)}${'entered'.padStart(10)}${'exited'.padStart(10)}`);
        for (const [segment, count] of Object.entries(latest.counts)) {
          const before = previous?.counts[segment] ?? 0;
          const delta = count - before;
          lines.push(
            `  ${segment.padEnd(28)}${n(count).padStart(10)}${(delta > 0 ? `+${n(delta)}` : delta === 0 ? '0' : n(delta)).padStart(10)}${n(latest.entered[segment] ?? 0).padStart(10)}${n(latest.exited[segment] ?? 0).padStart(10)}`,
          );
        }
        lines.push('');
        io.stdout.write(lines.join('\n'));
        return 0;
      }
      const customerId = rest[0] ?? '';
      const explanation = await explainCustomer(target.table, config, currency, customerId, now);
      if (!explanation.found) {
        io.stderr.write(`No profile for customer ${customerId}. Customer ids look like c_… (see the order's customerId).\n`);
        return 1;
      }
      if (values.json) {
        io.stdout.write(`${JSON.stringify(explanation, null, 2)}\n`);
        return 0;
      }
      const s = explanation.scores;
      const lines = [`Customer ${customerId} as of ${explanation.asOf}${explanation.lastRun ? ` (RFM boundaries of run ${explanation.lastRun.runId})` : ''}`];
      if (s) lines.push(`  RFM scores: R${s.r} F${s.f} M${s.m}`);
      lines.push('', '  in  segment                     why');
      for (const e of explanation.segments) {
        const mark = e.computed ? (e.stored ? 'yes' : 'yes*') : e.stored ? 'no*' : ' - ';
        if (!e.computed && !e.stored && e.segment.startsWith('rfm-')) continue;
        lines.push(`  ${mark.padEnd(4)}${e.segment.padEnd(28)}${e.reason}${e.stored ? ` [since ${e.stored.enteredAt}]` : ''}`);
      }
      lines.push('', '  * differs from the table: the next run will change it.', '');
      io.stdout.write(lines.join('\n'));
      return 0;
    } finally {
      target.close();
    }
  },
};

function nowOption(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(ms)) throw new UsageError(`--now "${value}" is not an ISO 8601 time such as 2026-12-01T00:00:00Z`);
  return new Date(ms);
}

function formatRun(summary: SegmenterRunSummary, where: string): string {
  const changed = Object.entries(summary.counts).filter(([, count]) => count > 0);
  return [
    `Segmented ${n(summary.profiles)} profiles (${n(summary.scored)} with a purchase) in ${where} as of ${summary.asOf} (run ${summary.runId}).`,
    `  changes   ${n(summary.entered)} entered · ${n(summary.exited)} exited · ${n(summary.events)} events published${summary.recorded ? '' : ' (nothing changed: nothing written)'}`,
    `  members   ${changed.map(([segment, count]) => `${segment} ${n(count)}`).join(' · ') || 'none'}`,
    `  time      scan ${summary.timings.scanMs} ms · compute ${summary.timings.computeMs} ms · apply ${summary.timings.applyMs} ms`,
    '',
  ].join('\n');
}
