import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CampaignSchema } from '#shared/campaigns/campaign-config.ts';
import { loadCampaignsFile } from '#shared/campaigns/campaign-triggers.ts';
import { loadCatalogs, translator } from '#shared/i18n/catalogs.ts';
import { surveyInteractionId } from '#shared/interactions/survey-answer.ts';
import { unsubscribeUrl, verifyUnsubscribeToken } from '#shared/sending/unsubscribe-link.ts';
import { surveyBlock } from '#shared/survey/survey-block.ts';
import { parseSurveySubject, surveySubject, surveyUrl, verifySurveyToken } from '#shared/survey/survey-link.ts';
import { surveyChoices } from '#shared/survey/survey-route.ts';

const now = new Date('2026-12-03T12:00:00Z');
const subject = { customerId: 'c_1', campaignId: 'win-back', occurrenceId: 'evt-1', choice: 'quality' };
const tokenOf = (url: string) => new URL(url).searchParams.get('token') ?? '';

describe('survey links', () => {
  it('carry a signed token naming the email and the answer it preselects, valid for a year', () => {
    const url = new URL(surveyUrl('https://shop.example', 'key', subject, now));
    expect(url.pathname).toBe('/survey');
    const check = verifySurveyToken(url.searchParams.get('token') ?? '', 'key', new Date(now.getTime() + 364 * 86_400_000));
    expect(check.ok && parseSurveySubject(check.claims.sub)).toEqual(subject);
    expect(verifySurveyToken(url.searchParams.get('token') ?? '', 'key', new Date(now.getTime() + 366 * 86_400_000))).toEqual({ ok: false, reason: 'expired' });
  });

  it('are refused as unsubscribe links, and unsubscribe links as survey links', () => {
    expect(verifyUnsubscribeToken(tokenOf(surveyUrl('https://shop.example', 'key', subject, now)), 'key', now).ok).toBe(false);
    expect(
      verifySurveyToken(
        tokenOf(unsubscribeUrl('https://shop.example', 'key', { customerId: 'c_1', campaignId: 'win-back', scope: 'marketing' }, now)),
        'key',
        now,
      ).ok,
    ).toBe(false);
  });

  it('refuse an edited token and one signed with another key', () => {
    const token = tokenOf(surveyUrl('https://shop.example', 'key', subject, now));
    const [keyId = '', payload = '', signature = ''] = token.split('.');
    const edited = Buffer.from(JSON.stringify(['survey', 'c_2|win-back|evt-1|quality', 9_999_999_999])).toString('base64url');
    expect(verifySurveyToken([keyId, edited, signature].join('.'), 'key', now)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifySurveyToken([keyId, payload, signature].join('.'), 'another-key', now)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuse parts that would break the subject', () => {
    expect(() => surveySubject({ ...subject, occurrenceId: 'a|b' })).toThrow(/free of "\|"/);
    expect(parseSurveySubject('c_1|win-back|evt-1')).toBeUndefined();
    expect(parseSurveySubject('c_1|win-back|evt-1|quality|x')).toBeUndefined();
  });

  it('make one answer per email: the interaction id depends on campaign, occurrence and customer only', () => {
    const id = surveyInteractionId('win-back', 'evt-1', 'c_1');
    expect(id).toMatch(/^survey:win-back:[A-Za-z0-9_-]{32}$/);
    expect(surveyInteractionId('win-back', 'evt-1', 'c_1')).toBe(id);
    expect(surveyInteractionId('win-back', 'evt-2', 'c_1')).not.toBe(id);
    expect(surveyInteractionId('win-back', 'evt-1', 'c_2')).not.toBe(id);
  });
});

describe('survey choices in config', () => {
  it('are read from triggered campaigns that ask, and must be distinct lower-case ids', () => {
    const asking = CampaignSchema.parse({
      id: 'win-back',
      kind: 'triggered',
      trigger: { event: 'SegmentEntered' },
      survey: { choices: ['too-expensive', 'other'] },
    });
    const silent = CampaignSchema.parse({ id: 'welcome', kind: 'triggered', trigger: { event: 'ConsentGiven' } });
    expect([...surveyChoices([asking, silent])]).toEqual([['win-back', ['too-expensive', 'other']]]);
    expect(CampaignSchema.safeParse({ id: 'w', kind: 'triggered', trigger: { event: 'ConsentGiven' }, survey: { choices: ['other', 'other'] } }).success).toBe(
      false,
    );
    expect(
      CampaignSchema.safeParse({ id: 'w', kind: 'triggered', trigger: { event: 'ConsentGiven' }, survey: { choices: ['Too Expensive', 'other'] } }).success,
    ).toBe(false);
  });

  it('give the demo win-back email its six answers, and no other demo campaign a survey', () => {
    const surveys = surveyChoices(loadCampaignsFile(join(process.cwd(), 'config')).campaigns);
    expect([...surveys]).toEqual([['win-back', ['too-expensive', 'quality', 'found-elsewhere', 'no-need', 'bad-service', 'other']]]);
  });
});

describe('the survey block of an email', () => {
  const catalogs = loadCatalogs(join(process.cwd(), 'config', 'messages'));

  it("asks the question in the reader's language with one escaped link per answer, in html and text", () => {
    const block = surveyBlock(translator(catalogs, 'he'), {
      choices: ['too-expensive', 'other'],
      urlFor: (choice) => `https://shop.example/survey?token=a&c=${choice}`,
    });
    expect(block.html).toContain('למה הפסקת לקנות אצלנו?');
    expect(block.html).toContain('<a href="https://shop.example/survey?token=a&amp;c=too-expensive" style="color:#1d3b4f;">המחירים גבוהים מדי</a>');
    expect(block.text).toContain('משהו אחר: https://shop.example/survey?token=a&c=other');
  });
});
