import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { configDir } from '#shared/config/load-yaml.ts';
import { loadShopConfig } from '#shared/config/shop-config.ts';
import { templateFolderOf, type Campaign } from '#shared/campaigns/campaign-config.ts';
import { CampaignTemplates } from '#shared/campaigns/email-templates.ts';
import { knownSegmentIds } from '#shared/campaigns/known-segments.ts';
import { buildTemplateContext } from '#shared/campaigns/template-variables.ts';
import { formatFinding, TEMPLATES_DIR, validateCampaigns } from '#shared/campaigns/validate-campaigns.ts';
import { isSupportedLocale, SUPPORTED_LOCALES, type Locale } from '#shared/locales.ts';
import { profileFromItem, type CustomerProfile } from '#shared/profiles/customer-profile.ts';
import { loadSegmentsConfig } from '#shared/segments/segment-config.ts';
import { segmentMembers } from '#shared/segments/segment-store.ts';
import { resolveAudience } from '#shared/sending/plan-occurrence.ts';
import { unsubscribeUrl } from '#shared/sending/unsubscribe-link.ts';
import { campaignCouponCode } from '#shared/sending/campaign-coupon.ts';
import { keys } from '#shared/table/keys.ts';
import type { CliIo, Command } from '../cli-io.ts';
import { tableOptions, tableOptionsHelp, tableTarget } from '../table-target.ts';
import { parseCommandLine, UsageError } from '../usage-error.ts';

const help = `Usage: npx kinship campaigns <validate | preview | diff> [options]

  validate                      checks config/campaigns.yaml against its schema, the segments it names against
                                config/segments.yaml, and every template: syntax, variables that profiles do not
                                have, coupon variables in campaigns without a coupon, missing languages.
                                Each finding names its file and line. Exit 1 on any error (warnings pass).
  preview <id> [--locale <l>] [--customer <customerId>] [--out <file.html>]
                                renders the campaign's email as a customer would get it: prints the subject and the
                                text part, and writes the HTML to --out (default .kinship/preview/<id>.<locale>.html).
                                Without --customer a sample profile is used; with it, the real profile is read from
                                the table (and its language is used unless --locale is given).
  diff                          audience size per campaign now (from the segment membership index) next to the
                                last planned occurrence.

Options:
  --config-dir <dir>            where campaigns.yaml, segments.yaml and templates/ are (env KINSHIP_CONFIG_DIR; ./config)
  -h, --help                    this help

${tableOptionsHelp}`;

const options = {
  ...tableOptions,
  'config-dir': { type: 'string' },
  locale: { type: 'string' },
  customer: { type: 'string' },
  out: { type: 'string' },
} as const;

export const campaignsCommand: Command = {
  summary: 'validate, preview and diff the campaigns in config/campaigns.yaml',
  help,
  async run(args, io) {
    const { values, positionals } = parseCommandLine(args, options);
    const [sub, ...rest] = positionals;
    const dir = values['config-dir'] ?? io.env.KINSHIP_CONFIG_DIR ?? configDir();
    switch (sub) {
      case 'validate':
        return validate(dir, io);
      case 'preview': {
        const [id] = rest;
        if (!id) throw new UsageError('preview needs a campaign id, e.g. npx kinship campaigns preview win-back --locale is');
        if (values.locale !== undefined && !isSupportedLocale(values.locale)) throw new UsageError(`--locale must be one of ${SUPPORTED_LOCALES.join(', ')}`);
        const locale = values.locale !== undefined && isSupportedLocale(values.locale) ? values.locale : undefined;
        return preview(dir, io, { id, locale, customerId: values.customer, out: values.out, table: values });
      }
      case 'diff':
        return diff(dir, io, values);
      default:
        throw new UsageError(sub === undefined ? 'name a subcommand: validate, preview or diff' : `unknown subcommand "${sub}": use validate, preview or diff`);
    }
  },
};

function validate(dir: string, io: CliIo): number {
  const { findings, config } = validateCampaigns(dir, knownSegmentIds(loadSegmentsConfig(dir)));
  for (const finding of findings) (finding.severity === 'error' ? io.stderr : io.stdout).write(`${formatFinding(finding)}\n`);
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.length - errors;
  if (errors > 0) {
    io.stderr.write(`✗ ${errors} error(s), ${warnings} warning(s). Fix the files named above and run "npx kinship campaigns validate" again.\n`);
    return 1;
  }
  io.stdout.write(
    `✓ ${config?.campaigns.length ?? 0} campaigns valid (${warnings} warning(s)): schema, segments, templates in ${SUPPORTED_LOCALES.join(', ')}\n`,
  );
  return 0;
}

function sampleProfile(): CustomerProfile {
  return profileFromItem({
    customerId: 'c_sample',
    customerName: 'Sigrún Jónsdóttir',
    orderCount: 4,
    netSpendMinor: 48_900,
    firstPurchaseAt: '2024-05-02T10:00:00.000Z',
    lastPurchaseAt: '2026-08-14T16:20:00.000Z',
    'cat#tents': 24_990,
    'cat#cooking': 8_900,
  });
}

async function preview(
  dir: string,
  io: CliIo,
  options: {
    id: string;
    locale: Locale | undefined;
    customerId: string | undefined;
    out: string | undefined;
    table: { aws?: boolean | undefined; table?: string | undefined; endpoint?: string | undefined };
  },
): Promise<number> {
  const { findings, config } = validateCampaigns(dir, knownSegmentIds(loadSegmentsConfig(dir)));
  const campaign = config?.campaigns.find((c) => c.id === options.id);
  if (!config || !campaign) {
    const errors = findings.filter((f) => f.severity === 'error');
    if (errors.length > 0) for (const finding of errors) io.stderr.write(`${formatFinding(finding)}\n`);
    else io.stderr.write(`no campaign "${options.id}" in ${join(dir, 'campaigns.yaml')}; campaigns: ${config?.campaigns.map((c) => c.id).join(', ')}\n`);
    return 1;
  }
  let profile = sampleProfile();
  if (options.customerId) {
    const target = tableTarget(options.table, io.env);
    try {
      await target.check();
      const item = await target.table.doc.send(new GetCommand({ TableName: target.table.name, Key: keys.profile(options.customerId) }));
      if (!item.Item) {
        io.stderr.write(
          `no customer ${options.customerId} in ${target.description}; "npx kinship segments explain" lists ids, or preview without --customer\n`,
        );
        return 1;
      }
      profile = profileFromItem(item.Item);
    } finally {
      target.close();
    }
  }
  const shop = loadShopConfig(dir);
  const templates = new CampaignTemplates(join(dir, TEMPLATES_DIR), [templateFolderOf(campaign)], config.defaults.fallbackLocale);
  const wanted = options.locale ?? (profile.locale !== undefined && isSupportedLocale(profile.locale) ? profile.locale : undefined);
  const locale = templates.localeFor(templateFolderOf(campaign), wanted);
  const now = new Date();
  const baseUrl = shop.shop.publicBaseUrl ?? 'http://localhost:3000';
  const email = templates.render(
    templateFolderOf(campaign),
    locale,
    buildTemplateContext({
      profile,
      locale,
      shop: { name: shop.shop.name, url: baseUrl, baseCurrency: shop.shop.baseCurrency },
      campaignId: campaign.id,
      unsubscribeUrl: unsubscribeUrl(
        baseUrl,
        'preview-only-not-a-real-key',
        { customerId: profile.customerId, campaignId: campaign.id, scope: 'marketing', occurrenceId: 'preview' },
        now,
      ),
      coupon: campaign.coupon ? previewCoupon(campaign, profile.customerId, locale, now, shop.shop.baseCurrency) : undefined,
    }),
  );
  const out = resolve(options.out ?? join('.kinship', 'preview', `${campaign.id}.${locale}.html`));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, email.html);
  io.stdout.write(
    `Subject: ${email.subject}\nLanguage: ${locale}${wanted !== undefined && wanted !== locale ? ` (no ${wanted} template; fallback)` : ''}\n\n${email.text}\n\nHTML part written to ${out}\n`,
  );
  return 0;
}

function previewCoupon(campaign: Campaign, customerId: string, locale: Locale, now: Date, currency: string) {
  const grant = campaign.coupon;
  if (!grant) return undefined;
  const discount =
    'percent' in grant.discount
      ? new Intl.NumberFormat(locale, { style: 'percent' }).format(grant.discount.percent / 100)
      : new Intl.NumberFormat(locale, { style: 'currency', currency }).format(grant.discount.amount);
  return {
    code: campaignCouponCode(grant.prefix, 'preview', `${campaign.id}#preview#${customerId}`),
    discount,
    expiresAt: new Date(now.getTime() + grant.validDays * 86_400_000).toISOString(),
    appliesTo: grant.appliesTo.join(', '),
  };
}

async function diff(dir: string, io: CliIo, values: { aws?: boolean | undefined; table?: string | undefined; endpoint?: string | undefined }): Promise<number> {
  const { findings, config } = validateCampaigns(dir, knownSegmentIds(loadSegmentsConfig(dir)));
  if (!config) {
    for (const finding of findings) io.stderr.write(`${formatFinding(finding)}\n`);
    return 1;
  }
  const target = tableTarget(values, io.env);
  try {
    await target.check();
    const rows: string[][] = [['campaign', 'kind', 'audience now', 'last occurrence', 'change']];
    for (const campaign of config.campaigns) {
      if (campaign.kind === 'newsletter') {
        const now = (await resolveAudience(target.table, campaign.audience)).length;
        const last = await target.table.doc.send(
          new QueryCommand({
            TableName: target.table.name,
            KeyConditionExpression: 'PK = :pk',
            ExpressionAttributeValues: { ':pk': keys.occurrencePartition(campaign.id) },
            ScanIndexForward: false,
            Limit: 1,
          }),
        );
        const previous = last.Items?.[0];
        const before = typeof previous?.recipients === 'number' ? previous.recipients : undefined;
        rows.push([
          campaign.id,
          'newsletter',
          String(now),
          before === undefined ? '— (never planned)' : `${before} (${String(previous?.occurrenceId)})`,
          before === undefined ? '' : signed(now - before),
        ]);
      } else {
        const segments =
          campaign.trigger.event === 'SegmentEntered' && Array.isArray(campaign.trigger.detail?.segment)
            ? campaign.trigger.detail.segment.filter((s): s is string => typeof s === 'string')
            : [];
        const size =
          segments.length > 0
            ? String((await Promise.all(segments.map((s) => segmentMembers(target.table, s)))).reduce((n, ids) => n + ids.length, 0))
            : 'per event';
        rows.push([campaign.id, `on ${campaign.trigger.event}`, segments.length > 0 ? `${size} in ${segments.join(', ')}` : size, '—', '']);
      }
    }
    const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
    for (const row of rows)
      io.stdout.write(
        `${row
          .map((cell, i) => cell.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd()}\n`,
      );
    return 0;
  } finally {
    target.close();
  }
}

function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n);
}
