// Examples come from the Amazon EventBridge user guide ("Event patterns", "Comparison operators",
// "Arrays in event patterns", "Null values and empty strings") and the README of aws/event-ruler,
// the matching engine EventBridge is built on.
import { describe, expect, it } from 'vitest';
import { matchesEventPattern, validateEventPattern, type EventPattern } from '#shared/events/pattern-matcher.ts';

/** The sample EC2 event used throughout the documentation's content-filtering examples. */
const sampleEvent = {
  version: '0',
  id: 'ddddd4-aaaa-7777-4444-345dd43cc333',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '012345679012',
  time: '2017-10-02T16:24:49Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
  detail: {
    'c-count': 5,
    'd-count': 3,
    'x-limit': 301.8,
    'source-ip': '10.0.0.33',
    'instance-id': 'i-000000aaaaaa00000',
    state: 'running',
  },
} as const;

function withDetail(detail: Record<string, unknown>): Record<string, unknown> {
  return { ...sampleEvent, detail: { ...sampleEvent.detail, ...detail } };
}

function detailOnly(detail: Record<string, unknown>): Record<string, unknown> {
  return { detail };
}

function validationError(pattern: unknown): string {
  const result = validateEventPattern(pattern);
  if (result.ok) throw new Error(`expected ${JSON.stringify(pattern)} to be rejected`);
  return result.error;
}

describe('exact matching', () => {
  it('matches the documented EC2 state-change pattern against the sample event', () => {
    const pattern: EventPattern = {
      'detail-type': ['EC2 Instance State-change Notification'],
      resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
      detail: { state: ['initializing', 'running'] },
    };
    expect(matchesEventPattern(pattern, sampleEvent)).toBe(true);
  });

  it('matches when the event value is any one of the listed values', () => {
    const pattern: EventPattern = { source: ['aws.ec2', 'aws.fargate'] };
    expect(matchesEventPattern(pattern, { source: 'aws.fargate' })).toBe(true);
    expect(matchesEventPattern(pattern, { source: 'aws.s3' })).toBe(false);
  });

  it('requires every field of the pattern to match', () => {
    const pattern: EventPattern = { source: ['aws.ec2'], detail: { state: ['terminated'] } };
    expect(matchesEventPattern(pattern, sampleEvent)).toBe(false);
    expect(matchesEventPattern(pattern, withDetail({ state: 'terminated' }))).toBe(true);
  });

  it('ignores event fields that the pattern does not mention', () => {
    expect(matchesEventPattern({ source: ['aws.ec2'] }, sampleEvent)).toBe(true);
  });

  it('does not match when a field named in the pattern is missing from the event', () => {
    expect(matchesEventPattern({ detail: { 'launch-type': ['FARGATE'] } }, sampleEvent)).toBe(false);
  });

  it('compares strings character by character without case folding', () => {
    expect(matchesEventPattern({ source: ['AWS.EC2'] }, sampleEvent)).toBe(false);
  });

  it('matches nested fields such as the Macie risk score and trigger risk', () => {
    const pattern: EventPattern = {
      source: ['aws.macie'],
      'detail-type': ['Macie Alert'],
      detail: { 'risk-score': [80], trigger: { risk: [8] } },
    };
    const alert = {
      source: 'aws.macie',
      'detail-type': 'Macie Alert',
      detail: { 'risk-score': 80, tags: ['Custom_Alert', 'Insider'], trigger: { 'alert-type': 'basic', risk: 8 } },
    };
    expect(matchesEventPattern(pattern, alert)).toBe(true);
    expect(matchesEventPattern(pattern, { ...alert, detail: { ...alert.detail, trigger: { risk: 7 } } })).toBe(false);
  });

  it('compares numbers by value, so 300 matches 300.0 and 3.0e2', () => {
    const pattern: unknown = JSON.parse('{"detail": {"x-limit": [300.0]}}');
    const validated = validateEventPattern(pattern);
    if (!validated.ok) throw new Error(validated.error);
    expect(matchesEventPattern(validated.pattern, JSON.parse('{"detail": {"x-limit": 3.0e2}}'))).toBe(true);
    expect(matchesEventPattern(validated.pattern, JSON.parse('{"detail": {"x-limit": 300}}'))).toBe(true);
  });

  it('does not treat a numeric string as the number it spells', () => {
    expect(matchesEventPattern({ detail: { 'c-count': [5] } }, withDetail({ 'c-count': '5' }))).toBe(false);
    expect(matchesEventPattern({ detail: { 'c-count': ['5'] } }, sampleEvent)).toBe(false);
  });

  it('matches booleans exactly', () => {
    expect(matchesEventPattern({ detail: { enabled: [true] } }, detailOnly({ enabled: true }))).toBe(true);
    expect(matchesEventPattern({ detail: { enabled: [true] } }, detailOnly({ enabled: false }))).toBe(false);
    expect(matchesEventPattern({ detail: { enabled: [true] } }, detailOnly({ enabled: 'true' }))).toBe(false);
  });

  it('does not match a nested pattern against a field that holds a string', () => {
    expect(matchesEventPattern({ detail: { state: ['running'] } }, { detail: 'running' })).toBe(false);
  });

  it('does not match an exact value against a field that holds an object', () => {
    expect(matchesEventPattern({ detail: ['running'] }, sampleEvent)).toBe(false);
  });
});

describe('null values and empty strings', () => {
  const launchEvent = {
    'detail-type': 'EC2 Instance Launch Successful',
    source: 'aws.autoscaling',
    resources: [],
    detail: { eventVersion: '', responseElements: null },
  };

  it('matches a null event value with a null in the pattern', () => {
    const pattern: EventPattern = {
      source: ['aws.autoscaling'],
      'detail-type': ['EC2 Instance Launch Successful'],
      detail: { responseElements: [null] },
    };
    expect(matchesEventPattern(pattern, launchEvent)).toBe(true);
  });

  it('matches an empty string with an empty-string pattern', () => {
    expect(matchesEventPattern({ detail: { eventVersion: [''] } }, launchEvent)).toBe(true);
  });

  it('does not treat null and the empty string as interchangeable', () => {
    expect(matchesEventPattern({ detail: { responseElements: [''] } }, launchEvent)).toBe(false);
    expect(matchesEventPattern({ detail: { eventVersion: [null] } }, launchEvent)).toBe(false);
  });

  it('does not match null against a field that is missing', () => {
    expect(matchesEventPattern({ detail: { requestParameters: [null] } }, launchEvent)).toBe(false);
  });
});

describe('arrays in events', () => {
  const pattern: EventPattern = {
    resources: [
      'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
      'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
      'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
    ],
  };

  it('matches when the event array and the pattern list have a value in common', () => {
    const event = {
      resources: [
        'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate',
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
      ],
    };
    expect(matchesEventPattern(pattern, event)).toBe(true);
  });

  it('does not match when the event array and the pattern list have nothing in common', () => {
    expect(matchesEventPattern(pattern, { resources: ['arn:aws:ec2:us-east-1:999999999999:instance/i-b188560f'] })).toBe(false);
  });

  it('does not match exact values against an empty event array', () => {
    expect(matchesEventPattern(pattern, { resources: [] })).toBe(false);
  });

  const employees = {
    employees: [
      { firstName: 'John', lastName: 'Doe' },
      { firstName: 'Anna', lastName: 'Smith' },
      { firstName: 'Peter', lastName: 'Jones' },
    ],
  };

  it('descends into the objects of an event array', () => {
    expect(matchesEventPattern({ employees: { firstName: ['Anna'] } }, employees)).toBe(true);
    expect(matchesEventPattern({ employees: { firstName: ['Maria'] } }, employees)).toBe(false);
  });

  it('only combines fields that come from the same array element', () => {
    expect(matchesEventPattern({ employees: { firstName: ['Anna'], lastName: ['Smith'] } }, employees)).toBe(true);
    expect(matchesEventPattern({ employees: { firstName: ['Anna'], lastName: ['Jones'] } }, employees)).toBe(false);
  });

  it('flattens multi-level arrays', () => {
    const nested = {
      employees: [
        [
          { firstName: 'John', lastName: 'Doe' },
          { firstName: 'Anna', lastName: 'Smith' },
        ],
        [{ firstName: 'Peter', lastName: 'Jones' }],
      ],
    };
    expect(matchesEventPattern({ employees: { firstName: ['Peter'] } }, nested)).toBe(true);
    expect(matchesEventPattern({ tags: ['c'] }, { tags: [['a', 'b'], ['c']] })).toBe(true);
  });
});

describe('prefix', () => {
  it('matches a string that starts with the prefix', () => {
    expect(matchesEventPattern({ time: [{ prefix: '2017-10-02' }] }, sampleEvent)).toBe(true);
  });

  it('does not match a string that starts differently', () => {
    expect(matchesEventPattern({ time: [{ prefix: '2017-10-03' }] }, sampleEvent)).toBe(false);
  });

  it('is case sensitive', () => {
    expect(matchesEventPattern({ source: [{ prefix: 'AWS.' }] }, sampleEvent)).toBe(false);
  });

  it('only matches string values', () => {
    expect(matchesEventPattern({ detail: { 'x-limit': [{ prefix: '301' }] } }, sampleEvent)).toBe(false);
  });

  it('ignores case when the prefix is given as equals-ignore-case', () => {
    const pattern: EventPattern = { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } };
    expect(matchesEventPattern(pattern, detailOnly({ service: 'EventBridge' }))).toBe(true);
    expect(matchesEventPattern(pattern, detailOnly({ service: 'eventbridge' }))).toBe(true);
    expect(matchesEventPattern(pattern, detailOnly({ service: 'EVENTBRIDGE' }))).toBe(true);
    expect(matchesEventPattern(pattern, detailOnly({ service: 'Lambda' }))).toBe(false);
  });
});

describe('suffix', () => {
  const pattern: EventPattern = { FileName: [{ suffix: '.png' }] };

  it('matches a string that ends with the suffix', () => {
    expect(matchesEventPattern(pattern, { FileName: 'photo.png' })).toBe(true);
  });

  it('does not match a string that ends differently or in another case', () => {
    expect(matchesEventPattern(pattern, { FileName: 'photo.jpg' })).toBe(false);
    expect(matchesEventPattern(pattern, { FileName: 'photo.PNG' })).toBe(false);
  });

  it('ignores case when the suffix is given as equals-ignore-case', () => {
    const ignoringCase: EventPattern = { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } };
    expect(matchesEventPattern(ignoringCase, detailOnly({ FileName: 'photo.PNG' }))).toBe(true);
    expect(matchesEventPattern(ignoringCase, detailOnly({ FileName: 'photo.Png' }))).toBe(true);
    expect(matchesEventPattern(ignoringCase, detailOnly({ FileName: 'photo.gif' }))).toBe(false);
  });
});

describe('equals-ignore-case', () => {
  const pattern: EventPattern = { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] };

  it('matches a string that differs only in case', () => {
    expect(matchesEventPattern(pattern, sampleEvent)).toBe(true);
  });

  it('does not match a different string', () => {
    expect(matchesEventPattern(pattern, { 'detail-type': 'EC2 Spot Instance Interruption Warning' })).toBe(false);
  });

  it('only matches string values', () => {
    expect(matchesEventPattern({ detail: { 'c-count': [{ 'equals-ignore-case': '5' }] } }, sampleEvent)).toBe(false);
  });
});

describe('anything-but', () => {
  it('matches any state except the excluded one', () => {
    const pattern: EventPattern = { detail: { state: [{ 'anything-but': 'initializing' }] } };
    expect(matchesEventPattern(pattern, sampleEvent)).toBe(true);
    expect(matchesEventPattern(pattern, withDetail({ state: 'initializing' }))).toBe(false);
  });

  it('excludes a single number', () => {
    const pattern: EventPattern = { detail: { 'x-limit': [{ 'anything-but': 123 }] } };
    expect(matchesEventPattern(pattern, sampleEvent)).toBe(true);
    expect(matchesEventPattern(pattern, withDetail({ 'x-limit': 123 }))).toBe(false);
  });

  it('excludes every string in a list', () => {
    const pattern: EventPattern = { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } };
    expect(matchesEventPattern(pattern, sampleEvent)).toBe(true);
    expect(matchesEventPattern(pattern, withDetail({ state: 'stopped' }))).toBe(false);
    expect(matchesEventPattern(pattern, withDetail({ state: 'overloaded' }))).toBe(false);
  });

  it('excludes every number in a list, comparing by value', () => {
    const pattern: EventPattern = { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } };
    expect(matchesEventPattern(pattern, sampleEvent)).toBe(true);
    expect(matchesEventPattern(pattern, withDetail({ 'x-limit': 200 }))).toBe(false);
    expect(matchesEventPattern(pattern, JSON.parse('{"detail": {"x-limit": 3.0e2}}'))).toBe(false);
  });

  it('lets values of another type through', () => {
    expect(matchesEventPattern({ detail: { 'c-count': [{ 'anything-but': '5' }] } }, sampleEvent)).toBe(true);
    expect(matchesEventPattern({ detail: { state: [{ 'anything-but': [1, 2] }] } }, sampleEvent)).toBe(true);
  });

  it('does not match when the field is missing', () => {
    expect(matchesEventPattern({ detail: { state: [{ 'anything-but': 'initializing' }] } }, detailOnly({}))).toBe(false);
  });

  it('matches an event array when any element is not excluded', () => {
    const pattern: EventPattern = { detail: { state: [{ 'anything-but': ['stopped'] }] } };
    expect(matchesEventPattern(pattern, withDetail({ state: ['stopped', 'running'] }))).toBe(true);
    expect(matchesEventPattern(pattern, withDetail({ state: ['stopped'] }))).toBe(false);
  });

  it('excludes values that start with a prefix', () => {
    const pattern: EventPattern = { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } };
    expect(matchesEventPattern(pattern, sampleEvent)).toBe(true);
    expect(matchesEventPattern(pattern, withDetail({ state: 'initializing' }))).toBe(false);
  });

  it('excludes values that end with a suffix', () => {
    const pattern: EventPattern = { detail: { FileName: [{ 'anything-but': { suffix: '.txt' } }] } };
    expect(matchesEventPattern(pattern, detailOnly({ FileName: 'notes.md' }))).toBe(true);
    expect(matchesEventPattern(pattern, detailOnly({ FileName: 'notes.txt' }))).toBe(false);
  });

  it('excludes values equal to any listed string regardless of case', () => {
    const single: EventPattern = { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] } };
    expect(matchesEventPattern(single, sampleEvent)).toBe(true);
    expect(matchesEventPattern(single, withDetail({ state: 'INITIALIZING' }))).toBe(false);

    const list: EventPattern = { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['initializing', 'stopped'] } }] } };
    expect(matchesEventPattern(list, sampleEvent)).toBe(true);
    expect(matchesEventPattern(list, withDetail({ state: 'Stopped' }))).toBe(false);
  });

  it('excludes values that match a wildcard', () => {
    const pattern: EventPattern = { detail: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] } };
    expect(matchesEventPattern(pattern, detailOnly({ FilePath: '/usr/bin/env' }))).toBe(true);
    expect(matchesEventPattern(pattern, detailOnly({ FilePath: '/usr/lib/libc.so' }))).toBe(false);

    const list: EventPattern = { detail: { FilePath: [{ 'anything-but': { wildcard: ['*/lib/*', '*/bin/*'] } }] } };
    expect(matchesEventPattern(list, detailOnly({ FilePath: '/home/me/notes' }))).toBe(true);
    expect(matchesEventPattern(list, detailOnly({ FilePath: '/usr/bin/env' }))).toBe(false);
  });
});

describe('numeric', () => {
  const documented: EventPattern = {
    detail: {
      'c-count': [{ numeric: ['>', 0, '<=', 5] }],
      'd-count': [{ numeric: ['<', 10] }],
      'x-limit': [{ numeric: ['=', 3.018e2] }],
    },
  };

  it('matches the documented c-count, d-count and x-limit pattern against the sample event', () => {
    expect(matchesEventPattern(documented, sampleEvent)).toBe(true);
  });

  it('does not match when any one numeric condition fails', () => {
    expect(matchesEventPattern(documented, withDetail({ 'd-count': 10 }))).toBe(false);
    expect(matchesEventPattern(documented, withDetail({ 'x-limit': 301.9 }))).toBe(false);
  });

  it('keeps the lower bound of an open range exclusive and a closed upper bound inclusive', () => {
    const pattern: EventPattern = { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } };
    expect(matchesEventPattern(pattern, withDetail({ 'c-count': 5 }))).toBe(true);
    expect(matchesEventPattern(pattern, withDetail({ 'c-count': 0.5 }))).toBe(true);
    expect(matchesEventPattern(pattern, withDetail({ 'c-count': 0 }))).toBe(false);
    expect(matchesEventPattern(pattern, withDetail({ 'c-count': 5.000001 }))).toBe(false);
  });

  it('keeps a closed lower bound inclusive and an open upper bound exclusive', () => {
    const pattern: EventPattern = { detail: { 'c-count': [{ numeric: ['>=', 0, '<', 5] }] } };
    expect(matchesEventPattern(pattern, withDetail({ 'c-count': 0 }))).toBe(true);
    expect(matchesEventPattern(pattern, withDetail({ 'c-count': 5 }))).toBe(false);
  });

  it('supports each single comparison operator', () => {
    const check = (numeric: EventPattern, value: number): boolean => matchesEventPattern(numeric, { price: value });
    expect(check({ price: [{ numeric: ['<', 10] }] }, 9.99)).toBe(true);
    expect(check({ price: [{ numeric: ['<', 10] }] }, 10)).toBe(false);
    expect(check({ price: [{ numeric: ['<=', 10] }] }, 10)).toBe(true);
    expect(check({ price: [{ numeric: ['=', 100] }] }, 100)).toBe(true);
    expect(check({ price: [{ numeric: ['=', 100] }] }, 100.5)).toBe(false);
    expect(check({ price: [{ numeric: ['>', 10] }] }, 10)).toBe(false);
    expect(check({ price: [{ numeric: ['>=', 10] }] }, 10)).toBe(true);
    expect(check({ price: [{ numeric: ['>=', -5] }] }, -4.5)).toBe(true);
  });

  it('only matches JSON numbers, not numeric strings', () => {
    expect(matchesEventPattern({ detail: { 'c-count': [{ numeric: ['>', 0] }] } }, withDetail({ 'c-count': '5' }))).toBe(false);
  });

  it('matches an event array when any element is in range', () => {
    const pattern: EventPattern = { scores: [{ numeric: ['>=', 90] }] };
    expect(matchesEventPattern(pattern, { scores: [12, 95] })).toBe(true);
    expect(matchesEventPattern(pattern, { scores: [12, 89] })).toBe(false);
  });

  it('never matches event numbers outside the supported range of -5e9 to 5e9', () => {
    expect(matchesEventPattern({ size: [{ numeric: ['>', 0] }] }, { size: 5e9 })).toBe(true);
    expect(matchesEventPattern({ size: [{ numeric: ['>', 0] }] }, { size: 6e9 })).toBe(false);
  });
});

describe('exists', () => {
  const pendingEvent = {
    version: '0',
    id: '7bf73129-1428-4cd3-a780-95db273d1602',
    'detail-type': 'EC2 Instance State-change Notification',
    source: 'aws.ec2',
    account: '123456789012',
    time: '2015-11-11T21:29:54Z',
    region: 'us-east-1',
    resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
    detail: { 'instance-id': 'i-abcd1111', state: 'pending' },
  };
  const countEvent = {
    'detail-type': 'EC2 Instance State-change Notification',
    resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341'],
    detail: { 'c-count': { c1: 100 } },
  };

  it('exists true matches an event that has the leaf field', () => {
    expect(matchesEventPattern({ detail: { state: [{ exists: true }] } }, pendingEvent)).toBe(true);
  });

  it('exists true does not match an event without the field', () => {
    expect(matchesEventPattern({ detail: { state: [{ exists: true }] } }, countEvent)).toBe(false);
  });

  it('exists true does not match a field that holds an object, because only leaves exist', () => {
    expect(matchesEventPattern({ detail: { 'c-count': [{ exists: true }] } }, countEvent)).toBe(false);
  });

  it('exists true matches a field whose value is null or an empty string', () => {
    expect(matchesEventPattern({ detail: { state: [{ exists: true }] } }, detailOnly({ state: null }))).toBe(true);
    expect(matchesEventPattern({ detail: { state: [{ exists: true }] } }, detailOnly({ state: '' }))).toBe(true);
  });

  it('exists false matches an event without the field', () => {
    expect(matchesEventPattern({ detail: { 'c-count': [{ exists: false }] } }, pendingEvent)).toBe(true);
  });

  it('exists false does not match an event that has the field', () => {
    expect(matchesEventPattern({ detail: { 'c-count': [{ exists: false }] } }, sampleEvent)).toBe(false);
  });

  it('exists false matches a field that holds an object, because it is not a leaf', () => {
    expect(matchesEventPattern({ detail: { 'c-count': [{ exists: false }] } }, countEvent)).toBe(true);
  });

  it('exists false matches when the whole parent object is missing', () => {
    expect(matchesEventPattern({ detail: { 'c-count': [{ exists: false }] } }, { source: 'aws.ec2' })).toBe(true);
  });

  it('exists false matches an empty event array', () => {
    expect(matchesEventPattern({ tags: [{ exists: false }] }, { tags: [] })).toBe(true);
    expect(matchesEventPattern({ tags: [{ exists: true }] }, { tags: [] })).toBe(false);
  });

  it('can be combined with other values in the same list', () => {
    const pattern: EventPattern = { detail: { state: ['running', { exists: false }] } };
    expect(matchesEventPattern(pattern, sampleEvent)).toBe(true);
    expect(matchesEventPattern(pattern, detailOnly({}))).toBe(true);
    expect(matchesEventPattern(pattern, withDetail({ state: 'stopped' }))).toBe(false);
  });
});

describe('wildcard', () => {
  it('matches the documented event bus ARN wildcard', () => {
    const pattern: EventPattern = { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] };
    expect(matchesEventPattern(pattern, { EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/default' })).toBe(true);
    expect(matchesEventPattern(pattern, { EventBusArn: 'arn:aws:events:us-west-2:123456789012:event-bus/default' })).toBe(false);
  });

  it('lets an asterisk stand for zero or more characters, including slashes', () => {
    const pattern: EventPattern = { FileName: [{ wildcard: 'dir/*.png' }] };
    expect(matchesEventPattern(pattern, { FileName: 'dir/photo.png' })).toBe(true);
    expect(matchesEventPattern(pattern, { FileName: 'dir/.png' })).toBe(true);
    expect(matchesEventPattern(pattern, { FileName: 'dir/sub/photo.png' })).toBe(true);
    expect(matchesEventPattern(pattern, { FileName: 'dir/photo.jpg' })).toBe(false);
    expect(matchesEventPattern(pattern, { FileName: 'other/photo.png' })).toBe(false);
  });

  it('anchors the pattern at both ends of the value', () => {
    const pattern: EventPattern = { title: [{ wildcard: '*ab*ab' }] };
    expect(matchesEventPattern(pattern, { title: 'xxabyyab' })).toBe(true);
    expect(matchesEventPattern(pattern, { title: 'abab' })).toBe(true);
    expect(matchesEventPattern(pattern, { title: 'ab' })).toBe(false);
    expect(matchesEventPattern(pattern, { title: 'ababx' })).toBe(false);
  });

  it('treats an escaped asterisk as a literal asterisk', () => {
    const pattern: EventPattern = { name: [{ wildcard: 'a\\*b' }] };
    expect(matchesEventPattern(pattern, { name: 'a*b' })).toBe(true);
    expect(matchesEventPattern(pattern, { name: 'axb' })).toBe(false);
  });

  it('treats an escaped backslash as a literal backslash', () => {
    const pattern: EventPattern = { path: [{ wildcard: 'C:\\\\*' }] };
    expect(matchesEventPattern(pattern, { path: 'C:\\Windows' })).toBe(true);
    expect(matchesEventPattern(pattern, { path: 'C:/Windows' })).toBe(false);
  });

  it('only matches string values', () => {
    expect(matchesEventPattern({ detail: { 'c-count': [{ wildcard: '*' }] } }, sampleEvent)).toBe(false);
    expect(matchesEventPattern({ detail: { state: [{ wildcard: '*' }] } }, sampleEvent)).toBe(true);
  });
});

describe('cidr', () => {
  it('matches an IPv4 address inside the block', () => {
    const pattern: EventPattern = { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } };
    expect(matchesEventPattern(pattern, sampleEvent)).toBe(true);
    expect(matchesEventPattern(pattern, withDetail({ 'source-ip': '10.0.0.255' }))).toBe(true);
  });

  it('does not match an IPv4 address outside the block', () => {
    const pattern: EventPattern = { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } };
    expect(matchesEventPattern(pattern, withDetail({ 'source-ip': '10.0.1.33' }))).toBe(false);
    expect(matchesEventPattern(pattern, withDetail({ 'source-ip': '192.168.0.1' }))).toBe(false);
  });

  it('matches IPv6 addresses written in any valid notation', () => {
    const pattern: EventPattern = { detail: { sourceIPAddress: [{ cidr: '2001:db8:1234::/48' }] } };
    expect(matchesEventPattern(pattern, detailOnly({ sourceIPAddress: '2001:db8:1234:ffff::1' }))).toBe(true);
    expect(matchesEventPattern(pattern, detailOnly({ sourceIPAddress: '2001:DB8:1234:0:0:0:0:1' }))).toBe(true);
    expect(matchesEventPattern(pattern, detailOnly({ sourceIPAddress: '2001:db8:1235::1' }))).toBe(false);
  });

  it('matches IPv6 addresses that end in dotted IPv4 form', () => {
    const pattern: EventPattern = { ip: [{ cidr: '::ffff:10.0.0.0/120' }] };
    expect(matchesEventPattern(pattern, { ip: '::ffff:10.0.0.7' })).toBe(true);
    expect(matchesEventPattern(pattern, { ip: '::ffff:10.0.1.7' })).toBe(false);
  });

  it('does not match an address of the other IP version', () => {
    expect(matchesEventPattern({ ip: [{ cidr: '::/1' }] }, { ip: '10.0.0.1' })).toBe(false);
    expect(matchesEventPattern({ ip: [{ cidr: '0.0.0.0/0' }] }, { ip: '::1' })).toBe(false);
  });

  it('does not match values that are not IP addresses', () => {
    const pattern: EventPattern = { ip: [{ cidr: '10.0.0.0/8' }] };
    expect(matchesEventPattern(pattern, { ip: 'ten.zero.zero.one' })).toBe(false);
    expect(matchesEventPattern(pattern, { ip: '10.0.0.256' })).toBe(false);
    expect(matchesEventPattern(pattern, { ip: 10 })).toBe(false);
  });
});

describe('$or', () => {
  const locationOrDay: EventPattern = { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] };

  it('matches when any one of the alternatives matches', () => {
    expect(matchesEventPattern(locationOrDay, { Location: 'New York', Day: 'Tuesday' })).toBe(true);
    expect(matchesEventPattern(locationOrDay, { Location: 'Boston', Day: 'Monday' })).toBe(true);
  });

  it('does not match when none of the alternatives matches', () => {
    expect(matchesEventPattern(locationOrDay, { Location: 'Boston', Day: 'Tuesday' })).toBe(false);
  });

  const metricPattern: EventPattern = {
    source: ['aws.cloudwatch'],
    $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
  };

  it('ANDs the alternatives with the other fields of the same object', () => {
    expect(matchesEventPattern(metricPattern, { source: 'aws.cloudwatch', namespace: 'AWS/ES' })).toBe(true);
    expect(matchesEventPattern(metricPattern, { source: 'aws.ec2', metricName: 'CPUUtilization' })).toBe(false);
  });

  it('works at any level and combines parallel alternatives', () => {
    const pattern: EventPattern = {
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
      detail: {
        $or: [{ source: ['aws.cloudwatch'] }, { 'detail-type': ['CloudWatch Alarm State Change'] }],
      },
    };
    expect(matchesEventPattern(pattern, { namespace: 'AWS/EC2', detail: { 'detail-type': 'CloudWatch Alarm State Change' } })).toBe(true);
    expect(matchesEventPattern(pattern, { namespace: 'AWS/EC2', detail: { source: 'aws.ec2' } })).toBe(false);
  });

  it('supports $or nested inside an alternative', () => {
    const pattern: EventPattern = {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['CPUUtilization', 'ReadLatency'] },
        {
          metricType: ['MetricType'],
          namespace: ['AWS/EC2', 'AWS/ES'],
          $or: [{ metricId: [1234] }, { spaceId: [1000] }],
        },
        { scope: ['Service'] },
      ],
    };
    const base = { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/EC2' };
    expect(matchesEventPattern(pattern, { ...base, spaceId: 1000 })).toBe(true);
    expect(matchesEventPattern(pattern, { ...base, spaceId: 2000 })).toBe(false);
    expect(matchesEventPattern(pattern, { source: 'aws.cloudwatch', scope: 'Service' })).toBe(true);
  });

  it('combines with numeric conditions', () => {
    const pattern: EventPattern = {
      detail: {
        $or: [{ 'c-count': [{ numeric: ['>', 0, '<=', 5] }] }, { 'd-count': [{ numeric: ['<', 10] }] }, { 'x-limit': [{ numeric: ['=', 3.018e2] }] }],
      },
    };
    expect(matchesEventPattern(pattern, detailOnly({ 'c-count': 50, 'd-count': 50, 'x-limit': 301.8 }))).toBe(true);
    expect(matchesEventPattern(pattern, detailOnly({ 'c-count': 50, 'd-count': 50, 'x-limit': 1 }))).toBe(false);
  });

  it('evaluates the alternatives within one element of an event array', () => {
    const pattern: EventPattern = { items: { sku: ['A'], $or: [{ size: ['S'] }, { color: ['red'] }] } };
    expect(matchesEventPattern(pattern, { items: [{ sku: 'A', color: 'red' }] })).toBe(true);
    expect(matchesEventPattern(pattern, { items: [{ sku: 'A' }, { sku: 'B', color: 'red' }] })).toBe(false);
  });
});

describe('a complex pattern combining operators', () => {
  it('matches the documented combination of prefix, anything-but, numeric and cidr', () => {
    const pattern: EventPattern = {
      time: [{ prefix: '2017-10-02' }],
      detail: {
        state: [{ 'anything-but': 'initializing' }],
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ 'anything-but': [100, 200, 300] }],
        'source-ip': [{ cidr: '10.0.0.0/8' }],
      },
    };
    expect(matchesEventPattern(pattern, sampleEvent)).toBe(true);
    expect(matchesEventPattern(pattern, withDetail({ 'source-ip': '11.0.0.1' }))).toBe(false);
  });
});

describe('validateEventPattern', () => {
  it('accepts a valid pattern and returns it unchanged', () => {
    const pattern = { source: ['aws.ec2'], detail: { state: [{ 'anything-but': { prefix: 'init' } }] } };
    const result = validateEventPattern(pattern);
    expect(result.ok).toBe(true);
    expect(result.ok && result.pattern).toBe(pattern);
  });

  it('accepts every documented operator form', () => {
    const pattern: unknown = {
      a: ['x', 1, true, null, ''],
      b: [{ prefix: 'us-' }, { prefix: { 'equals-ignore-case': 'EventB' } }],
      c: [{ suffix: '.png' }, { suffix: { 'equals-ignore-case': '.PNG' } }],
      d: [{ 'anything-but': 'x' }, { 'anything-but': 1 }, { 'anything-but': ['x', 'y'] }, { 'anything-but': [1, 2] }],
      e: [{ 'anything-but': { prefix: 'x' } }, { 'anything-but': { suffix: ['.a', '.b'] } }],
      f: [{ 'anything-but': { 'equals-ignore-case': 'x' } }, { 'anything-but': { wildcard: '*/lib/*' } }],
      g: [{ numeric: ['>=', -5e9, '<', 5e9] }, { numeric: ['=', 0.000001] }],
      h: [{ exists: false }, { 'equals-ignore-case': 'x' }, { wildcard: 'a*b\\*c\\\\' }],
      i: [{ cidr: '10.0.0.0/31' }, { cidr: '2001:db8::/127' }],
      $or: [{ j: ['x'] }, { k: { $or: [{ l: ['y'] }, { m: ['z'] }] } }],
    };
    expect(validateEventPattern(pattern)).toEqual({ ok: true, pattern });
  });

  it('rejects a pattern that is not a JSON object', () => {
    expect(validationError(['aws.ec2'])).toBe('$: an event pattern must be a JSON object');
    expect(validationError('{"source": ["aws.ec2"]}')).toMatch(/^\$: /);
    expect(validationError(null)).toMatch(/^\$: /);
  });

  it('rejects a field whose value is not an array or an object', () => {
    expect(validationError({ source: 'aws.ec2' })).toMatch(/^\$\.source: a field must map to an array/);
    expect(validationError({ detail: { 'c-count': 5 } })).toMatch(/^\$\.detail\.c-count: /);
  });

  it('rejects empty objects and empty arrays', () => {
    expect(validationError({})).toBe('$: empty objects are not allowed');
    expect(validationError({ detail: {} })).toBe('$.detail: empty objects are not allowed');
    expect(validationError({ source: [] })).toBe('$.source: empty arrays are not allowed');
  });

  it('rejects nested arrays and other non-scalar match values', () => {
    expect(validationError({ source: [['aws.ec2']] })).toMatch(/^\$\.source\[0\]: a match value must be/);
  });

  it('rejects unknown operators such as contains', () => {
    expect(validationError({ type: [{ contains: 'Normal' }] })).toBe('$.type[0]: unknown operator "contains"');
  });

  it('rejects operator objects with more or fewer than one key', () => {
    expect(validationError({ source: [{ prefix: 'a', suffix: 'b' }] })).toMatch(/^\$\.source\[0\]: an operator object must have exactly one key/);
    expect(validationError({ source: ['x', {}] })).toMatch(/^\$\.source\[1\]: /);
  });

  it('names field paths that are not plain identifiers unambiguously', () => {
    expect(validationError({ detail: { 'file name': [{ nope: 1 }] } })).toBe('$.detail["file name"][0]: unknown operator "nope"');
  });

  it('rejects prefix, suffix and equals-ignore-case operands that are not strings', () => {
    expect(validationError({ time: [{ prefix: 2017 }] })).toMatch(/^\$\.time\[0\]\.prefix: must be a string/);
    expect(validationError({ time: [{ suffix: { 'equals-ignore-case': 1 } }] })).toMatch(/^\$\.time\[0\]\.suffix: /);
    expect(validationError({ time: [{ prefix: { wildcard: 'x*' } }] })).toMatch(/^\$\.time\[0\]\.prefix: /);
    expect(validationError({ name: [{ 'equals-ignore-case': ['alice'] }] })).toMatch(/^\$\.name\[0\]\.equals-ignore-case: must be a string/);
  });

  it('rejects a numeric operand that is not an array of the documented shape', () => {
    expect(validationError({ n: [{ numeric: '>5' }] })).toMatch(/^\$\.n\[0\]\.numeric: must be \[operator, number\]/);
    expect(validationError({ n: [{ numeric: ['>', 0, '<'] }] })).toMatch(/^\$\.n\[0\]\.numeric: /);
    expect(validationError({ n: [{ numeric: ['>', 0, '<', 5, '<', 6] }] })).toMatch(/^\$\.n\[0\]\.numeric: /);
  });

  it('rejects unknown numeric operators and operands that are not numbers', () => {
    expect(validationError({ n: [{ numeric: ['==', 5] }] })).toBe('$.n[0].numeric[0]: expected "<" or "<=" or "=" or ">" or ">=" but found "=="');
    expect(validationError({ n: [{ numeric: ['>', '5'] }] })).toBe('$.n[0].numeric[1]: must be a number');
  });

  it('rejects numeric ranges with the bounds in the wrong order or reversed', () => {
    expect(validationError({ n: [{ numeric: ['<', 5, '>', 0] }] })).toMatch(/^\$\.n\[0\]\.numeric\[0\]: expected ">" or ">="/);
    expect(validationError({ n: [{ numeric: ['>', 0, '>', 5] }] })).toMatch(/^\$\.n\[0\]\.numeric\[2\]: expected "<" or "<="/);
    expect(validationError({ n: [{ numeric: ['>', 5, '<=', 5] }] })).toBe(
      '$.n[0].numeric: the lower bound of a numeric range must be less than its upper bound',
    );
  });

  it('rejects numbers outside the range and precision EventBridge supports', () => {
    expect(validationError({ n: [{ numeric: ['>', 6e9] }] })).toBe('$.n[0].numeric[1]: must be between -5e9 and 5e9 inclusive');
    expect(validationError({ n: [{ numeric: ['=', 0.0000001] }] })).toBe('$.n[0].numeric[1]: must have at most 6 decimal places');
    expect(validationError({ n: [{ 'anything-but': [1, 6e9] }] })).toBe('$.n[0].anything-but[1]: must be between -5e9 and 5e9 inclusive');
  });

  it('rejects exists operands that are not booleans', () => {
    expect(validationError({ detail: { state: [{ exists: 'yes' }] } })).toBe('$.detail.state[0].exists: must be true or false');
  });

  it('rejects wildcards with consecutive asterisks', () => {
    expect(validationError({ FileName: [{ wildcard: 'dir/**.png' }] })).toBe(
      '$.FileName[0].wildcard: consecutive wildcard characters (at position 4) are not allowed',
    );
    expect(validationError({ FileName: [{ 'anything-but': { wildcard: ['*.txt', 'a**'] } }] })).toMatch(
      /^\$\.FileName\[0\]\.anything-but\.wildcard\[1\]: consecutive wildcard characters/,
    );
  });

  it('rejects wildcards that escape anything but an asterisk or a backslash', () => {
    expect(validationError({ FileName: [{ wildcard: 'dir\\n*' }] })).toMatch(/^\$\.FileName\[0\]\.wildcard: invalid escape at position 3/);
    expect(validationError({ FileName: [{ wildcard: 'trailing\\' }] })).toMatch(/invalid escape/);
  });

  it('rejects malformed CIDR blocks', () => {
    expect(validationError({ ip: [{ cidr: '10.0.0.0' }] })).toMatch(/^\$\.ip\[0\]\.cidr: a CIDR block needs exactly one "\/"/);
    expect(validationError({ ip: [{ cidr: '10.0.0/8' }] })).toBe('$.ip[0].cidr: "10.0.0" is not an IPv4 or IPv6 address');
    expect(validationError({ ip: [{ cidr: '10.0.0.0/abc' }] })).toMatch(/mask bits must be a non-negative integer/);
    expect(validationError({ ip: [{ cidr: '10.0.0.0/33' }] })).toMatch(/IPv4 mask bits must be less than 32/);
    expect(validationError({ ip: [{ cidr: 10 }] })).toMatch(/^\$\.ip\[0\]\.cidr: must be a CIDR block/);
  });

  it('rejects /32 and /128 blocks, as EventBridge does, in favour of a plain address', () => {
    expect(validationError({ ip: [{ cidr: '10.0.0.1/32' }] })).toMatch(/IPv4 mask bits must be less than 32/);
    expect(validationError({ ip: [{ cidr: '2001:db8::1/128' }] })).toMatch(/IPv6 mask bits must be less than 128/);
  });

  it('rejects anything-but lists that are empty, mixed or hold other types', () => {
    const message = 'an anything-but list must be non-empty and hold only strings or only numbers';
    expect(validationError({ s: [{ 'anything-but': [] }] })).toBe(`$.s[0].anything-but: ${message}`);
    expect(validationError({ s: [{ 'anything-but': ['a', 1] }] })).toBe(`$.s[0].anything-but: ${message}`);
    expect(validationError({ s: [{ 'anything-but': [true] }] })).toBe(`$.s[0].anything-but: ${message}`);
    expect(validationError({ s: [{ 'anything-but': null }] })).toMatch(/^\$\.s\[0\]\.anything-but: must be a string, a number/);
  });

  it('rejects anything-but with an operator it cannot negate or an empty prefix', () => {
    expect(validationError({ s: [{ 'anything-but': { numeric: ['>', 1] } }] })).toMatch(
      /^\$\.s\[0\]\.anything-but: anything-but takes exactly one of prefix, suffix, equals-ignore-case or wildcard/,
    );
    expect(validationError({ s: [{ 'anything-but': { prefix: '' } }] })).toBe('$.s[0].anything-but.prefix: must not be empty');
    expect(validationError({ s: [{ 'anything-but': { suffix: [1] } }] })).toMatch(/^\$\.s\[0\]\.anything-but\.suffix: must be a string or a non-empty list/);
  });

  it('rejects $or unless it is an array of at least two pattern objects', () => {
    const message = '$or must be an array of at least two pattern objects';
    expect(validationError({ $or: { a: ['x'] } })).toBe(`$.$or: ${message}`);
    expect(validationError({ $or: [{ a: ['x'] }] })).toBe(`$.$or: ${message}`);
    expect(validationError({ detail: { $or: [{ a: ['x'] }, 'b'] } })).toBe('$.detail.$or[1]: an event pattern must be a JSON object');
    expect(validationError({ $or: [{ a: ['x'] }, {}] })).toBe('$.$or[1]: empty objects are not allowed');
  });

  it('rejects operator names used as field names inside $or', () => {
    expect(validationError({ $or: [{ numeric: [123] }, { prefix: ['abc'] }] })).toBe(
      '$.$or[0].numeric: "numeric" is reserved and cannot be used as a field name inside $or',
    );
    expect(validationError({ $or: [{ a: ['x'] }, { b: { exists: [true] } }] })).toMatch(/^\$\.\$or\[1\]\.b\.exists: /);
  });

  it('reports the first problem in a deeply nested pattern', () => {
    expect(validationError({ detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }], 'd-count': [{ numeric: ['<'] }] } })).toMatch(
      /^\$\.detail\.d-count\[0\]\.numeric: /,
    );
  });
});

describe('matchesEventPattern with an invalid pattern', () => {
  it('throws instead of silently never matching', () => {
    const reversed: EventPattern = { detail: { 'c-count': [{ numeric: ['>', 5, '<', 1] }] } };
    expect(() => matchesEventPattern(reversed, sampleEvent)).toThrow(
      'Invalid event pattern: $.detail.c-count[0].numeric: the lower bound of a numeric range must be less than its upper bound',
    );
  });
});
