import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { configDir } from '#shared/config/load-yaml.ts';
import { createReport } from '#shared/reports/create-report.ts';
import { DEFAULT_SCAN_SEGMENTS, type ScanProgress } from '#shared/reports/load-report-data.ts';
import { reportPeriod, ReportPeriodError } from '#shared/reports/report-period.ts';
import { loadReportSettings } from '#shared/reports/report-settings.ts';
import { renderReportHtml } from '#shared/reports/render-report.ts';
import type { CliIo, Command } from '../cli-io.ts';
import { tableOptions, tableOptionsHelp, tableTarget } from '../table-target.ts';
import { parseCommandLine, UsageError } from '../usage-error.ts';

const help = `Usage: npx kinship report [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--out report.html] [--json]

Writes the results report — campaigns (with lift vs holdout), incentive funnel, acquisition, satisfaction,
one-time → repeat cohorts, segment sizes over time, deliverability — as one self-contained HTML page with
charts (no script, no external files: open it, mail it, archive it).

Options:
  --from <YYYY-MM-DD>        first day of the period (UTC; default: everything)
  --to <YYYY-MM-DD>          last day of the period, inclusive (UTC; default: now)
  --out <file>               where to write (default report.html; with --json, stdout unless --out is given)
  --json                     the same numbers as JSON instead of HTML
  --segments <n>             parallel scan segments (default ${DEFAULT_SCAN_SEGMENTS}; 1–64)
  --config-dir <dir>         where shop.yaml, incentives.yaml and campaigns.yaml are (env KINSHIP_CONFIG_DIR; default ./config)
  -h, --help                 this help

${tableOptionsHelp}
Progress goes to stderr. Exit codes: 0 done, 1 failed (the message says what to do next), 2 usage error.
`;

const options = {
  ...tableOptions,
  from: { type: 'string' },
  to: { type: 'string' },
  out: { type: 'string' },
  json: { type: 'boolean' },
  segments: { type: 'string' },
  'config-dir': { type: 'string' },
} as const;

/** Scan progress on stderr: a rewritten line on a terminal, a line per 100,000 items otherwise. */
function progressReporter(stream: CliIo['stderr']): { update(p: ScanProgress): void; done(items: number): void } {
  let lastLine = 0;
  let lastItems = 0;
  const text = (p: ScanProgress) => `report: scanned ${p.items.toLocaleString('en-US')} items (${p.segmentsDone}/${p.segments} scan segments done)`;
  return {
    update(p) {
      if (stream.isTTY === true) {
        const now = Date.now();
        if (now - lastLine < 200) return;
        lastLine = now;
        stream.write(`\r${text(p)}`);
      } else if (p.items - lastItems >= 100_000) {
        lastItems = p.items;
        stream.write(`${text(p)}\n`);
      }
    },
    done(items) {
      stream.write(`${stream.isTTY === true ? '\r' : ''}report: scanned ${items.toLocaleString('en-US')} items\n`);
    },
  };
}

export const reportCommand: Command = {
  summary: 'write the results report (HTML with charts, or --json)',
  help,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandLine(args, options);
    if (positionals.length > 0) throw new UsageError(`report takes no arguments, got ${positionals.join(' ')}`);
    const segments = values.segments === undefined ? DEFAULT_SCAN_SEGMENTS : Number(values.segments);
    if (!Number.isInteger(segments) || segments < 1 || segments > 64)
      throw new UsageError(`--segments must be a whole number from 1 to 64, got ${values.segments}`);
    const now = new Date();
    let range;
    try {
      range = reportPeriod(values.from, values.to, now);
    } catch (error) {
      if (error instanceof ReportPeriodError) throw new UsageError(`--${error.message}`, { cause: error });
      throw error;
    }
    const settings = loadReportSettings(values['config-dir'] ?? io.env.KINSHIP_CONFIG_DIR ?? configDir());
    const target = tableTarget(values, io.env);
    try {
      await target.check();
      const progress = progressReporter(io.stderr);
      const { report, items } = await createReport(target.table, settings, { range, now, segments, onProgress: (p) => progress.update(p) });
      progress.done(items);
      if (values.json === true) {
        const json = `${JSON.stringify(report, null, 2)}\n`;
        if (values.out === undefined) io.stdout.write(json);
        else {
          writeFileSync(values.out, json);
          io.stdout.write(`wrote ${resolve(values.out)}\n`);
        }
        return 0;
      }
      const file = values.out ?? 'report.html';
      writeFileSync(file, await renderReportHtml(report));
      io.stdout.write(`wrote ${resolve(file)} (${report.campaigns.length} campaigns, from ${target.description})\n`);
      return 0;
    } finally {
      target.close();
    }
  },
};
