/** The local index page at GET /: what is running where, with links. Local only; not deployed. */
export interface HttpRouteSummary {
  method: string;
  path: string;
  auth: 'public' | 'apiKey';
  functionName: string;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function indexPage(info: { apiUrl: string; inboxUrl: string; routes: HttpRouteSummary[]; demoFormUrl: string | undefined; apiKeyHint: string }): string {
  const link = (href: string, text = href) => `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>`;
  const rows = info.routes
    .map((r) => {
      const path = r.method === 'GET' && !r.path.includes('{') ? link(new URL(r.path, info.apiUrl).toString(), r.path) : escapeHtml(r.path);
      return `<tr><td><code>${r.method}</code></td><td><code>${path}</code></td><td>${r.auth === 'apiKey' ? 'API key (<code>x-api-key</code>)' : 'public'}</td><td>${escapeHtml(r.functionName)}</td></tr>`;
    })
    .join('\n');
  const reports = info.routes.some((r) => r.method === 'GET' && r.path === '/reports');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Kinship — local</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:56rem;margin:2rem auto;padding:0 1rem;color:#1f2933}code{background:#f0f4f8;padding:0 .25rem;border-radius:3px}table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #d9e2ec}pre{background:#f0f4f8;padding:1rem;overflow:auto}</style>
</head>
<body>
<h1>Kinship — local runtime</h1>
<ul>
<li>API: ${link(info.apiUrl)}</li>
<li>Email inbox (SES emulator): ${link(info.inboxUrl)}</li>
${info.demoFormUrl ? `<li>Demo incentive form: ${link(info.demoFormUrl, 'open the form of a seeded order')}</li>` : ''}
${reports ? `<li>Reports: ${link(new URL('/reports', info.apiUrl).toString())}</li>` : ''}
</ul>
<h2>Routes</h2>
<table><thead><tr><th>Method</th><th>Path</th><th>Auth</th><th>Function</th></tr></thead><tbody>
${rows}
</tbody></table>
<h2>Record a purchase</h2>
<pre>curl -s -X POST ${escapeHtml(new URL('/api/purchases', info.apiUrl).toString())} \\
  -H 'content-type: application/json' -H 'x-api-key: ${escapeHtml(info.apiKeyHint)}' \\
  -d '{"orderId":"WEB-1001","customerEmail":"anna@example.com","items":[{"sku":"TENT-2P","name":"Two-person tent","category":"tents","price":249.9,"quantity":1}],"total":249.9,"currency":"EUR","purchasedAt":"${new Date().toISOString().slice(0, 19)}Z"}'</pre>
</body>
</html>
`;
}
