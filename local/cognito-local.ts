/**
 * The local stand-in for the Cognito user pool: `cognito-local` (npm) as a child process under a small sh
 * guardian, like DynamoDB Local's — however this process ends, the emulator goes with it. Then the pool, an app
 * client whose callback is the local server's /console/callback, the groups staff/marketer/admin and one demo user
 * per group, created if missing (the state persists under `<dir>/.cognito` between starts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  type CreateUserPoolClientCommandInput,
  CreateUserPoolCommand,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
  UpdateUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { STAFF_GROUPS, type StaffGroup } from '#shared/auth/staff-roles.ts';
import { assertPortFree } from '#local/dynamodb-local.ts';

/** The demo sign-ins `npm start` prints; local only (the emulator's signing key is public, so is this). */
export const DEMO_STAFF: readonly { group: StaffGroup; username: string; password: string }[] = STAFF_GROUPS.map((group) => ({
  group,
  username: `${group}@kinship.local`,
  password: `Kinship-${group}-1`,
}));

const POOL_NAME = 'kinship-staff';
const CLIENT_NAME = 'kinship-console';

export interface CognitoLocal {
  endpoint: string;
  issuer: string;
  userPoolId: string;
  clientId: string;
  stop(): Promise<void>;
}

const GUARDIAN = [
  'exec 3<&0',
  'node "$@" </dev/null 3<&- &',
  'child=$!',
  '{ read -r _ <&3; kill $child 2>/dev/null; } &',
  'watcher=$!',
  "trap '' INT",
  "trap 'kill $child 2>/dev/null' TERM HUP",
  'status=0',
  'while :; do wait $child; status=$?; kill -0 $child 2>/dev/null || break; done',
  'kill $watcher 2>/dev/null',
  'exit $status',
].join('\n');

function startScript(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('cognito-local/package.json')), 'lib', 'bin', 'start.js');
}

/** Starts the emulator in `dataDir` on `port` and sets up the pool, client, groups and demo users. */
export async function startCognitoLocal(options: {
  port: number;
  host: string;
  dataDir: string;
  callbackUrl: string;
  signOutUrl: string;
}): Promise<CognitoLocal> {
  await assertPortFree(options.port, 'COGNITO_PORT', options.host);
  mkdirSync(options.dataDir, { recursive: true });
  const child: ChildProcess = spawn('sh', ['-c', GUARDIAN, 'cognito-local-guardian', startScript()], {
    cwd: options.dataDir,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, PORT: String(options.port), HOST: options.host, AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1' },
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  };
  process.once('exit', () => child.kill('SIGTERM'));
  const endpoint = `http://${options.host}:${options.port}`;
  const client = new CognitoIdentityProviderClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  try {
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`cognito-local exited (code ${child.exitCode}) before it was ready. Is port ${options.port} in use (set COGNITO_PORT)?\n${output}`);
      try {
        await client.send(new ListUserPoolsCommand({ MaxResults: 60 }));
        break;
      } catch {
        if (Date.now() > deadline) throw new Error(`cognito-local did not answer on ${endpoint} within 20 s.\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    const { userPoolId, clientId } = await ensurePool(client, options.callbackUrl, options.signOutUrl);
    return { endpoint, issuer: `${endpoint}/${userPoolId}`, userPoolId, clientId, stop };
  } catch (error) {
    await stop();
    throw error;
  } finally {
    client.destroy();
  }
}

async function ensurePool(client: CognitoIdentityProviderClient, callbackUrl: string, signOutUrl: string): Promise<{ userPoolId: string; clientId: string }> {
  const pools = await client.send(new ListUserPoolsCommand({ MaxResults: 60 }));
  let userPoolId = pools.UserPools?.find((p) => p.Name === POOL_NAME)?.Id;
  userPoolId ??= (await client.send(new CreateUserPoolCommand({ PoolName: POOL_NAME, UsernameAttributes: ['email'] }))).UserPool?.Id;
  if (!userPoolId) throw new Error('cognito-local did not create the user pool');
  const clientSettings: Omit<CreateUserPoolClientCommandInput, 'UserPoolId'> & { UserPoolId: string } = {
    UserPoolId: userPoolId,
    ClientName: CLIENT_NAME,
    ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    AllowedOAuthFlows: ['code'],
    AllowedOAuthScopes: ['openid', 'email', 'profile'],
    AllowedOAuthFlowsUserPoolClient: true,
    CallbackURLs: [callbackUrl],
    LogoutURLs: [signOutUrl],
    SupportedIdentityProviders: ['COGNITO'],
  };
  const clients = await client.send(new ListUserPoolClientsCommand({ UserPoolId: userPoolId, MaxResults: 60 }));
  let clientId = clients.UserPoolClients?.find((c) => c.ClientName === CLIENT_NAME)?.ClientId;
  // The HTTP port may differ from the last start: the callback URL is brought up to date every time.
  if (clientId) await client.send(new UpdateUserPoolClientCommand({ ...clientSettings, ClientId: clientId }));
  else clientId = (await client.send(new CreateUserPoolClientCommand(clientSettings))).UserPoolClient?.ClientId;
  if (!clientId) throw new Error('cognito-local did not create the app client');
  for (const group of STAFF_GROUPS) {
    await client.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: group })).catch((error: unknown) => {
      if (!(error instanceof Error && error.name === 'GroupExistsException')) throw error;
    });
  }
  for (const demo of DEMO_STAFF) {
    const exists = await client.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: demo.username })).then(
      () => true,
      () => false,
    );
    if (exists) continue;
    await client.send(
      new AdminCreateUserCommand({
        UserPoolId: userPoolId,
        Username: demo.username,
        MessageAction: 'SUPPRESS',
        UserAttributes: [
          { Name: 'email', Value: demo.username },
          { Name: 'email_verified', Value: 'true' },
        ],
      }),
    );
    await client.send(new AdminSetUserPasswordCommand({ UserPoolId: userPoolId, Username: demo.username, Password: demo.password, Permanent: true }));
    await client.send(new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: demo.username, GroupName: demo.group }));
  }
  return { userPoolId, clientId };
}
