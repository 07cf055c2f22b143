import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { loadCampaignsFile } from '#shared/campaigns/campaign-triggers.ts';
import { arnOf, functionOf, statementsOfRole, synthesize } from './stack-fixture.ts';

const { stack, template } = synthesize();
const campaigns = loadCampaignsFile();
const planner = functionOf(stack, 'plan-campaign');
const sender = functionOf(stack, 'send-email');

const actionsOf = (fn: ReturnType<typeof functionOf>) => (fn.role ? statementsOfRole(template, fn.role).flatMap((s) => s.Action) : []);

describe('campaigns from config/campaigns.yaml', () => {
  it('turn every newsletter into a Scheduler schedule that hands the planner its campaign and scheduled time', () => {
    const newsletters = campaigns.campaigns.filter((c) => c.kind === 'newsletter');
    expect(newsletters.length).toBeGreaterThan(0);
    for (const newsletter of newsletters) {
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: newsletter.schedule.expression,
        ScheduleExpressionTimezone: newsletter.schedule.timezone ?? campaigns.defaults.timezone,
        Target: Match.objectLike({
          Arn: arnOf(planner),
          Input: JSON.stringify({ campaignId: newsletter.id, scheduledTime: '<aws.scheduler.scheduled-time>' }),
        }),
      });
    }
  });

  it('turn every triggered campaign into a bus rule with its pattern and an input transformer naming the campaign', () => {
    const triggered = campaigns.campaigns.filter((c) => c.kind === 'triggered');
    expect(triggered.map((c) => c.id)).toEqual(['welcome', 'win-back', 'gold-reward', 'referral-thank-you', 'service-recovery']);
    for (const campaign of triggered) {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: { source: ['kinship'], 'detail-type': [campaign.trigger.event], ...(campaign.trigger.detail ? { detail: campaign.trigger.detail } : {}) },
        Targets: [
          Match.objectLike({
            Arn: arnOf(planner),
            InputTransformer: { InputPathsMap: { f1: '$' }, InputTemplate: `{"campaignId":"${campaign.id}","event":<f1>}` },
          }),
        ],
      });
    }
  });

  it('feed the sender from a queue with partial batch failures, bounded concurrency and a dead-letter queue after five tries', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: Match.anyValue() },
      // 25 at the demo's 10 emails/s (see shared/sending/send-batch-size.ts); above 10 SQS requires a batching window.
      BatchSize: 25,
      MaximumBatchingWindowInSeconds: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 180, RedrivePolicy: { maxReceiveCount: 5, deadLetterTargetArn: Match.anyValue() } });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Send queue consumer'),
      Environment: { Variables: Match.objectLike({ QUEUE_CONSUMER_CONCURRENCY: '2', SEND_EMAIL_QUEUE_URL: Match.anyValue() }) },
    });
  });

  it('let only the sender call SES, and the planner only read and queue', () => {
    expect(actionsOf(sender)).toEqual(expect.arrayContaining(['ses:SendEmail', 'sqs:SendMessage']));
    const plannerActions = actionsOf(planner);
    expect(plannerActions).toContain('sqs:SendMessage');
    expect(plannerActions.filter((a) => a.startsWith('ses:') || a.startsWith('events:'))).toEqual([]);
  });
});
