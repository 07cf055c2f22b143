import { describe, expect, it } from 'vitest';
import { parseStartOptions } from '#local/start-options.ts';

describe('npm start options', () => {
  it('uses the documented defaults', () => {
    expect(parseStartOptions([], {})).toEqual({
      ok: true,
      options: {
        ports: { http: 3000, dynamodb: 8000, ses: 8005, events: 8010, sqs: 8011 },
        apiKey: 'kinship-local-key',
        now: undefined,
        stateDir: undefined,
        reset: false,
        logFormat: 'human',
        help: false,
      },
    });
  });

  it('reads ports, the API key and the clock override from the environment, and --now wins over KINSHIP_NOW', () => {
    const parsed = parseStartOptions(['--now', '2027-03-01T09:00:00Z'], {
      PORT: '4000',
      DYNAMODB_PORT: '9000',
      SES_PORT: '9005',
      EVENTS_PORT: '9010',
      SQS_PORT: '9011',
      KINSHIP_API_KEY: 'secret',
      KINSHIP_NOW: '2020-01-01T00:00:00Z',
    });
    expect(parsed).toMatchObject({ ok: true, options: { ports: { http: 4000, dynamodb: 9000, ses: 9005, events: 9010, sqs: 9011 }, apiKey: 'secret' } });
    expect(parsed.ok && parsed.options.now?.toISOString()).toBe('2027-03-01T09:00:00.000Z');
  });

  it.each([
    [[], { DYNAMODB_PORT: 'eight thousand' }, /DYNAMODB_PORT must be a port number/],
    [[], { PORT: '70000' }, /PORT must be a port number/],
    [[], { SES_PORT: '3000' }, /PORT and SES_PORT are both 3000/],
    [['--now', 'next tuesday'], {}, /--now must be an ISO 8601 date-time/],
    [['--port', '1'], {}, /--port.*npm start -- --help/],
    [['--reset=yes'], {}, /--reset.*npm start -- --help/],
    [[], { LOG_FORMAT: 'yaml' }, /LOG_FORMAT must be json or human/],
  ])('refuses %j %j with a message naming what to fix', (argv, env, message) => {
    const parsed = parseStartOptions(argv, env);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.error).toMatch(message);
  });

  it('recognises --reset, and the state directory it resets comes from KINSHIP_STATE_DIR', () => {
    expect(parseStartOptions(['--reset'], { KINSHIP_STATE_DIR: '/tmp/elsewhere' })).toMatchObject({
      ok: true,
      options: { reset: true, stateDir: '/tmp/elsewhere' },
    });
    expect(parseStartOptions(['--now', '2027-03-01T09:00:00Z', '--reset'], {})).toMatchObject({ ok: true, options: { reset: true } });
  });

  it('logs human lines unless LOG_FORMAT=json (any case)', () => {
    expect(parseStartOptions([], { LOG_FORMAT: 'JSON' })).toMatchObject({ ok: true, options: { logFormat: 'json' } });
    expect(parseStartOptions([], { LOG_FORMAT: '' })).toMatchObject({ ok: true, options: { logFormat: 'human' } });
  });

  it('recognises --help and -h', () => {
    expect(parseStartOptions(['--help'], {})).toMatchObject({ ok: true, options: { help: true } });
    expect(parseStartOptions(['-h'], {})).toMatchObject({ ok: true, options: { help: true } });
  });
});
