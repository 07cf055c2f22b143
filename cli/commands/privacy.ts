import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { configDir } from '#shared/config/load-yaml.ts';
import { createEventBridgeClient } from '#shared/events/publish-events.ts';
import { collectPerson } from '#shared/privacy/collect-person.ts';
import { erasePerson, planErasure, type ErasureResult } from '#shared/privacy/erase-person.ts';
import { buildExport, renderExportHtml } from '#shared/privacy/export-document.ts';
import { ITEM_KINDS } from '#shared/privacy/item-kinds.ts';
import { loadPrivacyConfig } from '#shared/privacy/privacy-config.ts';
import { personRefFromArgument } from '#shared/privacy/privacy-request.ts';
import type { CliIo, Command } from '../cli-io.ts';
import { signingSecretFor } from '../signing-secret.ts';
import { tableOptions, tableOptionsHelp, tableTarget } from '../table-target.ts';
import { parseCommandLine, UsageError } from '../usage-error.ts';

const help = `Usage: npx kinship privacy <export|erase> <email|customerId> [options]

  export <email|customerId>   write every item about the person as export.json and a readable export.html
                              (GDPR Art. 15 and 20) into --out
  erase <email|customerId>    delete or anonymise everything about the person (GDPR Art. 17): shows what would
                              change and asks for confirmation (on a terminal) unless --yes; keeps orders for
                              bookkeeping without personal fields (config/privacy.yaml keepOrders), writes an
                              erasure record keyed by a keyed hash of the address, publishes CustomerErased.
                              Running it again finds nothing and changes nothing.

Options:
  --out <dir>                 export folder (default ./privacy-export-<customerId>/)
  --yes                       erase without asking (needed when not on a terminal)
  --json                      print the result as JSON
  --bus-endpoint <url>        EventBridge endpoint for erase (env EVENTBRIDGE_ENDPOINT; default the local runtime's
                              bus on http://127.0.0.1:$EVENTS_PORT, port 8010); with --aws, the regional EventBridge
  --bus <name>                event bus name (env EVENT_BUS_NAME; default "kinship"; with --aws the stack output)
  --config-dir <dir>          where privacy.yaml is (env KINSHIP_CONFIG_DIR; default ./config)
  -h, --help                  this help

Signing key (it keys the customer id of an address and the erasure record's hash): env KINSHIP_SIGNING_KEY; with --aws the secret named by
  SIGNING_KEY_SECRET_ARN; otherwise the local runtime's key in $KINSHIP_STATE_DIR/secrets.json (default .kinship/).

${tableOptionsHelp}
Each erasure reads the whole table once (a parallel Scan) to confirm nothing about the person is missed.

Exit codes: 0 done (also: nothing found to erase), 1 failed or nothing found to export, 2 usage error or not confirmed.
`;

const options = {
  ...tableOptions,
  out: { type: 'string' },
  yes: { type: 'boolean' },
  json: { type: 'boolean' },
  'bus-endpoint': { type: 'string' },
  bus: { type: 'string' },
  'config-dir': { type: 'string' },
} as const;

export const privacyCommand: Command = {
  summary: 'export or erase everything about one person (GDPR access, portability, erasure)',
  help,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandLine(args, options);
    const [action, who, ...extra] = positionals;
    if (action !== 'export' && action !== 'erase')
      throw new UsageError(action === undefined ? 'name an action: export or erase' : `unknown action "${action}": use export or erase`);
    if (who === undefined || extra.length > 0)
      throw new UsageError(`${action} takes one address or customer id, e.g. npx kinship privacy ${action} anna@example.com`);
    const ref = personRefFromArgument(who);
    const config = loadPrivacyConfig(values['config-dir'] ?? io.env.KINSHIP_CONFIG_DIR ?? configDir());
    const aws = values.aws === true || io.env.KINSHIP_AWS === '1' || io.env.KINSHIP_AWS === 'true';
    const target = tableTarget(values, io.env);
    try {
      await target.check();
      const signingKey = await signingSecretFor(io.env, aws);
      const person = await collectPerson(target.table, ref, signingKey);
      const id = person.terms.customerId;
      if (action === 'export') {
        if (person.items.length === 0) {
          io.stderr.write(`Nothing about ${id} is stored in ${target.description}. Check the address or customer id.\n`);
          return 1;
        }
        const doc = buildExport(person, new Date().toISOString());
        const out = resolve(values.out ?? `privacy-export-${id}`);
        mkdirSync(out, { recursive: true });
        writeFileSync(join(out, 'export.json'), `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 });
        writeFileSync(join(out, 'export.html'), renderExportHtml(doc), { mode: 0o600 });
        const summary = doc.kinds.map((k) => `${k.title} ${k.items.length}`).join(' · ');
        io.stdout.write(
          values.json
            ? `${JSON.stringify({ customerId: id, out, kinds: Object.fromEntries(doc.kinds.map((k) => [k.kind, k.items.length])) })}\n`
            : `Exported ${person.items.length} items about ${id} to ${out}/export.json and export.html\n  ${summary}\n`,
        );
        return 0;
      }

      const plan = planErasure(person, config);
      if (plan.length > 0 && values.yes !== true) {
        io.stderr.write(describePlan(id, plan, person.nameOnlyMatches));
        if (process.stdin.isTTY !== true) {
          io.stderr.write('Not erased: pass --yes to erase without a terminal to confirm on.\n');
          return 2;
        }
        const prompt = createInterface({ input: process.stdin, output: io.stderr });
        const answer = await prompt.question(`Type "erase" to erase ${id} for good: `);
        prompt.close();
        if (answer.trim() !== 'erase') {
          io.stderr.write('Not erased.\n');
          return 2;
        }
      }
      const client = aws
        ? new EventBridgeClient({})
        : createEventBridgeClient(values['bus-endpoint'] ?? io.env.EVENTBRIDGE_ENDPOINT ?? `http://127.0.0.1:${io.env.EVENTS_PORT ?? 8010}`);
      try {
        const result = await erasePerson(
          { table: target.table, bus: { client, name: values.bus ?? io.env.EVENT_BUS_NAME ?? 'kinship' }, config, signingKey, now: () => new Date() },
          ref,
          person,
        ).catch((error: unknown) => {
          const reason = error instanceof Error ? error.message : String(error);
          throw new Error(
            `${reason}\nRun the same command again: an erasure is idempotent and finishes what is left (if the event bus was unreachable, start "npm start" or pass --bus-endpoint).`,
            { cause: error },
          );
        });
        io.stdout.write(values.json ? `${JSON.stringify(result)}\n` : describeResult(result));
        return 0;
      } finally {
        client.destroy();
      }
    } finally {
      target.close();
    }
  },
};

function describePlan(id: string, plan: ReturnType<typeof planErasure>, nameOnlyMatches: number): string {
  const groups = new Map<string, number>();
  for (const change of plan)
    groups.set(`${ITEM_KINDS[change.kind].title}: ${change.action}`, (groups.get(`${ITEM_KINDS[change.kind].title}: ${change.action}`) ?? 0) + 1);
  const lines = [`Erasing ${id} would change ${plan.length} items:`, ...[...groups].map(([what, count]) => `  ${String(count).padStart(5)}  ${what}`)];
  if (nameOnlyMatches > 0) lines.push(`  (${nameOnlyMatches} other items mention the same name without the address or id: left alone, possibly a namesake)`);
  return `${lines.join('\n')}\n`;
}

function describeResult(result: ErasureResult): string {
  if (result.outcome === 'nothing-found') {
    return `Nothing about ${result.customerId} is stored${result.erasedAt ? ` (erased ${result.erasedAt})` : ''}: nothing to erase.\n`;
  }
  const counts = Object.entries(result.counts)
    .map(([action, count]) => `${action} ${count}`)
    .join(' · ');
  return `Erased ${result.customerId} at ${result.erasedAt ?? ''}: ${counts}. CustomerErased published; ${result.itemsScanned} items scanned to confirm.\n`;
}
