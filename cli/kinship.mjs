#!/usr/bin/env node
// `npx kinship …` (package.json "bin"). The CLI is TypeScript run in place through tsx — the same way
// `npm start` runs the local runtime — so there is no build step between editing and running it.
import { register } from 'tsx/esm/api';

// The SDK's "Node 20 support ends in 2027" notice is for Lambda authors; here it would only bury the output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
