// Test-only OAuth 2.0 / OpenID Connect authorization server for TokenProxy
// integration tests, backed by the certified `oidc-provider` package.
// Contract: exactly one stdout line "READY {issuer}" once listening; everything
// else goes to stderr; SIGTERM/SIGINT exit cleanly. See README.md.
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';

// oidc-provider prints "you SHOULD change ..." notices via console.info (stdout).
// Route all console output to stderr so stdout carries only the READY line.
console.log = console.info = console.debug = (...args) => console.error(...args);

const { default: Provider } = await import('oidc-provider');

const env = process.env;
const fail = (msg) => { console.error(`oauth-server: ${msg}`); process.exit(2); };
const seconds = (name, def) => {
  const v = env[name] === undefined || env[name] === '' ? def : Number(env[name]);
  if (!Number.isInteger(v) || v <= 0) fail(`${name} must be a positive integer (seconds)`);
  return v;
};

const port = Number(env.PORT ?? 0);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail('PORT must be 0..65535');
const clientId = env.CLIENT_ID || fail('CLIENT_ID is required');
const clientSecret = env.CLIENT_SECRET || undefined;
const redirectUris = (env.REDIRECT_URIS ?? '').split(/\s+/).filter(Boolean);
if (redirectUris.length === 0) fail('REDIRECT_URIS is required (space-separated)');
const accessTokenTtl = seconds('ACCESS_TOKEN_TTL', 2);
const refreshTokenTtl = seconds('REFRESH_TOKEN_TTL', 3600);

// Listen first so PORT=0 yields a real port, which the default issuer needs.
const server = createServer();
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(port, '127.0.0.1', resolve);
}).catch((err) => fail(`cannot listen on 127.0.0.1:${port}: ${err.message}`));
const issuer = env.ISSUER || `http://127.0.0.1:${server.address().port}`;

// Devinteractions: any login (used verbatim as `sub`) with any password works.
const findAccount = (ctx, sub) => ({
  accountId: sub,
  claims: async () => ({ sub, email: `${sub}@example.com`, email_verified: true, name: `Test User ${sub}` }),
});

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    ...(clientSecret ? { client_secret: clientSecret } : {}),
    // With a secret: client_secret_basic (oidc-provider also accepts
    // client_secret_post for the same secret), used at token, revocation and
    // introspection alike. Without: a public client sending client_id in the body.
    token_endpoint_auth_method: clientSecret ? 'client_secret_basic' : 'none',
    // client_credentials: the same client also gets tokens for itself (RFC 6749 §4.4).
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
    response_types: ['code'],
    // Every scope but api:admin, so that asking for it is an invalid_scope refusal.
    scope: 'openid offline_access profile email api:read',
    // http:// loopback redirect URIs are accepted for web clients with the code
    // flow (only implicit forbids them), so no extra setting is needed.
    redirect_uris: redirectUris,
  }],
  findAccount,
  scopes: ['openid', 'offline_access', 'profile', 'email', 'api:read', 'api:admin'],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  // PKCE for every client, not only public ones (v9 supports S256 only).
  pkce: { required: () => true },
  // Always issue a refresh token when the client may use the grant, without
  // needing offline_access + prompt=consent (the library default).
  issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
  // Rotate on every use. Replaying a used refresh token yields invalid_grant AND
  // revokes the whole grant (reuse detection), including the rotated token.
  rotateRefreshToken: true,
  // Refresh tokens outlive the browser session (which is in-memory anyway).
  expiresWithSession: async () => false,
  ttl: {
    AccessToken: accessTokenTtl,
    ClientCredentials: accessTokenTtl,
    RefreshToken: refreshTokenTtl,
    AuthorizationCode: 60,
    IdToken: 3600,
    Interaction: 600,
    Session: 3600,
    Grant: 30 * 24 * 3600, // outlive any (rotated) refresh token; tokens die with it
  },
  // Default is 15 s of leeway, which would keep a 2 s access token usable at /me
  // and introspection long after expires_in; tests need expiry to be real.
  clockTolerance: 0,
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  features: {
    devInteractions: { enabled: true }, // built-in login/consent HTML pages
    revocation: { enabled: true },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    userinfo: { enabled: true },
    // RFC 9207 `iss` in authorization responses is always on in oidc-provider v9
    // (there is no features.issAuthResp toggle any more).
  },
  // Access tokens are opaque (the default when resourceIndicators is off; they
  // are audience-bound to userinfo). Errors rendered on the provider's own pages
  // (e.g. bad redirect_uri, missing cookies) come back as JSON, not HTML.
  renderError: async (ctx, out) => { ctx.type = 'json'; ctx.body = out; },
});

const stats = { authorization_code: 0, refresh_token: 0, client_credentials: 0, revocation: 0, held: 0, invalid_client: 0 };
// PUT /test/hold: refresh answers are held after the grant is processed (the refresh token already rotated), as a
// process that dies before storing its answer sees it. DELETE /test/hold sends the held answers and stops holding.
let holding = false;
let held = [];
const readJson = (req) => new Promise((resolve, reject) => {
  let text = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => { text += chunk; });
  req.on('end', () => { try { resolve(JSON.parse(text)); } catch (err) { reject(err); } });
  req.on('error', reject);
});
provider.use(async (ctx, next) => {
  if (ctx.path === '/test/hold') {
    holding = ctx.method === 'PUT';
    if (!holding) { for (const release of held) release(); held = []; }
    ctx.status = 204;
    return;
  }
  if (ctx.path === '/test/client-secret' && ctx.method === 'PUT') {
    // Rotates the client secret at the provider: {"secrets": ["new", "old"]} are all accepted from now on, any other
    // is invalid_client (at token, revocation and introspection alike).
    const { secrets } = await readJson(ctx.req);
    if (!Array.isArray(secrets) || secrets.some((v) => typeof v !== 'string' || v === '')) {
      ctx.status = 400;
      ctx.body = { error: 'secrets must be a list of non-empty strings' };
      return;
    }
    const client = await provider.Client.find(clientId);
    client.compareClientSecret = (actual) => secrets.includes(actual);
    ctx.status = 204;
    return;
  }
  if (ctx.path === '/test/stats') {
    if (ctx.method === 'DELETE') for (const k of Object.keys(stats)) stats[k] = 0;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = stats;
    return;
  }
  await next();
  // After routing, ctx.oidc has the route name and the parsed form body.
  const route = ctx.oidc?.route;
  const grantType = ctx.oidc?.body?.grant_type;
  if (route === 'token' && ['authorization_code', 'refresh_token', 'client_credentials'].includes(grantType)) stats[grantType] += 1;
  if (route === 'token' && grantType === 'refresh_token' && holding) {
    stats.held += 1;
    await new Promise((release) => held.push(release));
  }
  if (route === 'revocation') stats.revocation += 1;
  if (ctx.body?.error === 'invalid_client') stats.invalid_client += 1;
});

provider.on('server_error', (ctx, err) => console.error('oauth-server: server_error', err));

// Static clients are validated lazily; look ours up now so a bad REDIRECT_URIS
// (etc.) fails at startup instead of on the first authorization request.
try {
  if (!await provider.Client.find(clientId)) throw new Error('client not registered');
} catch (err) { fail(`invalid client configuration: ${err.error_description ?? err.message}`); }

server.on('request', provider.callback());
process.stdout.write(`READY ${issuer}\n`);

const shutdown = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 1000).unref();
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
