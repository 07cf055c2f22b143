/**
 * Imported first by start.ts, before anything creates the shared logger (it reads LOG_LEVEL once, and the
 * handlers' middleware resets any later change on every invocation). Unless the developer chose a level,
 * the handlers log warnings and errors only, and the runtime's own log — one line per request, event and
 * schedule — shows what happens. `LOG_LEVEL=INFO npm start` shows the handlers' info lines too.
 */
export const chosenLogLevel = process.env.LOG_LEVEL;
if (chosenLogLevel === undefined || chosenLogLevel.trim() === '') process.env.LOG_LEVEL = 'WARN';

// The SDK's "Node 20 support ends in 2027" notice is for Lambda authors (the functions run on nodejs22.x); here it
// would only push the URLs off the screen.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
