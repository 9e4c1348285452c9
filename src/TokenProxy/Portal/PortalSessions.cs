using Microsoft.Extensions.Options;
using TokenProxy.OAuth;
using TokenProxy.Vault;

namespace TokenProxy.Portal;

/// <summary>
/// Portal links and sessions (docs/architecture.md §10). A session is a row in the store keyed by the SHA-256 hash of a
/// random 256-bit cookie value, so every instance on a shared store honours it and an operator ends it everywhere at
/// once. The cookie is HttpOnly, <c>SameSite=Lax</c> (it must come back on the top-level navigation that returns from
/// a provider), scoped to <c>/portal</c>, <c>Secure</c> when the public address is https, and never bound to the client
/// address (people move between networks). Its value rotates every <see cref="RotateEvery"/>; the value it replaced
/// keeps working for <see cref="RotatedGrace"/>, so requests already under way with it do not fail.
/// </summary>
internal sealed class PortalSessions(
    IPortalStore store, IOptions<PortalOptions> options, IOptions<PublicUrlOptions> publicUrl, TimeProvider time, ILogger<PortalSessions> logger)
{
    public const string CookieName = "tokenproxy_portal";

    public const string CookiePath = "/portal";

    /// <summary>Where a portal link points, followed by its token.</summary>
    public const string EnterPath = Telemetry.QueryStringRedactor.PortalLinkPathPrefix;

    /// <summary>How often a session's cookie value changes while it is used (at most half the idle timeout); the idle timeout is renewed then too.</summary>
    public static readonly TimeSpan RotateEvery = TimeSpan.FromMinutes(5);

    /// <summary>How long a replaced cookie value still works: long enough for requests already sent with it.</summary>
    public static readonly TimeSpan RotatedGrace = TimeSpan.FromMinutes(1);

    /// <summary>How long a portal link works when the operator names no lifetime; as long as a connect request's.</summary>
    public static readonly TimeSpan DefaultLinkLifetime = TimeSpan.FromDays(7);

    /// <summary>The longest a portal link may work: as a connect request, 30 days.</summary>
    public static readonly TimeSpan LongestLinkLifetime = TimeSpan.FromDays(30);

    private readonly bool _secure = publicUrl.Value.PublicBaseUrl.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Starts a portal session for <paramref name="workspace"/> in the browser of <paramref name="context"/>: stores it and
    /// sets its cookie on the response (any portal session the browser held is replaced). The connect-request callback
    /// calls this once a person finished connecting from a link, so they land in their workspace's portal. False when
    /// the workspace does not exist (deleted meanwhile): no session, no cookie.
    /// </summary>
    public async Task<bool> StartAsync(HttpContext context, string workspace, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var settings = options.Value;
        var value = PortalTokens.New();
        var session = new PortalSession(
            PortalTokens.NewSessionId(), workspace, PortalTokens.HashOf(value)!, PreviousHash: null, PreviousValidUntil: null,
            CreatedAt: now, RotatedAt: now, IdleExpiresAt: now + settings.SessionIdleTimeout, ExpiresAt: now + settings.SessionLifetime);
        if (!await store.TryInsertPortalSessionAsync(session, cancellationToken))
        {
            return false;
        }

        SetCookie(context, value, session.ExpiresAt);
        Log.SessionStarted(logger, session.Id, workspace);
        return true;
    }

    /// <summary>
    /// The session the request's cookie opens, or null (none, unknown, expired, ended, replaced longer than the grace
    /// ago, or its workspace deleted). Rotates the cookie when its value is due for a change.
    /// </summary>
    public async Task<PortalSession?> AuthenticateAsync(HttpContext context, CancellationToken cancellationToken)
    {
        if (PortalTokens.HashOf(context.Request.Cookies[CookieName]) is not { } hash)
        {
            return null;
        }

        var now = time.GetUtcNow();
        if (await store.FindPortalSessionAsync(hash, now, cancellationToken) is not { } session)
        {
            return null;
        }

        // Only the current value rotates: a request with the previous one is one that raced the rotation.
        // The idle deadline moves when the value rotates: with a short idle timeout, rotate at half of it, so a session in use
        // never reaches its idle deadline (the deadline is measured to within the rotation interval).
        var rotateEvery = options.Value.SessionIdleTimeout / 2 < RotateEvery ? options.Value.SessionIdleTimeout / 2 : RotateEvery;
        if (session.TokenHash == hash && now - session.RotatedAt >= rotateEvery)
        {
            var value = PortalTokens.New();
            var rotated = session with
            {
                TokenHash = PortalTokens.HashOf(value)!,
                PreviousHash = hash,
                PreviousValidUntil = now + RotatedGrace,
                RotatedAt = now,
                IdleExpiresAt = Min(now + options.Value.SessionIdleTimeout, session.ExpiresAt),
            };

            // Another request rotating at the same moment wins; this one goes on with the value it came with.
            if (await store.TryRotatePortalSessionAsync(rotated, hash, cancellationToken))
            {
                SetCookie(context, value, session.ExpiresAt);
                return rotated;
            }
        }

        return session;
    }

    /// <summary>Creates a link that starts a session for <paramref name="workspace"/> until it expires; null when the workspace does not exist.</summary>
    public async Task<(string Url, DateTimeOffset ExpiresAt)?> CreateLinkAsync(string workspace, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await store.PurgeExpiredPortalAsync(now, cancellationToken);
        var token = PortalTokens.New();
        var link = new PortalLink(PortalTokens.HashOf(token)!, workspace, now, now + lifetime);
        if (!await store.TryInsertPortalLinkAsync(link, cancellationToken))
        {
            return null;
        }

        Log.LinkCreated(logger, workspace, link.ExpiresAt);
        return ($"{publicUrl.Value.PublicBaseUrl.TrimEnd('/')}{EnterPath}{token}", link.ExpiresAt);
    }

    /// <summary>The workspace a link opens now, or null (malformed, unknown, expired, ended, or its workspace deleted).</summary>
    public async Task<string?> OpenLinkAsync(string token, CancellationToken cancellationToken)
    {
        var found = PortalTokens.HashOf(token) is { } hash ? await store.FindPortalLinkAsync(hash, time.GetUtcNow(), cancellationToken) : null;
        if (found is null)
        {
            Log.LinkRefused(logger);
        }

        return found?.Workspace;
    }

    /// <summary>Ends every session of the workspace and deletes its links; the number of sessions ended.</summary>
    public async Task<int> EndAsync(string workspace, CancellationToken cancellationToken)
    {
        var ended = await store.EndPortalAccessAsync(workspace, cancellationToken);
        Log.SessionsEnded(logger, ended, workspace);
        return ended;
    }

    private void SetCookie(HttpContext context, string value, DateTimeOffset expiresAt) =>
        context.Response.Cookies.Append(CookieName, value, new CookieOptions
        {
            HttpOnly = true,
            Secure = _secure || context.Request.IsHttps,
            // Lax, not Strict: the person comes back from the provider's authorization page by a top-level navigation
            // from another site, and that request must carry the session (RFC 6265bis §8.8.2).
            SameSite = SameSiteMode.Lax,
            Path = CookiePath,
            // Max-Age, not Expires: relative to the browser's own clock, so a browser whose clock differs from the
            // server's neither drops the cookie at once nor keeps it past the session (RFC 6265 §4.1.2.2).
            MaxAge = expiresAt - time.GetUtcNow(),
        });

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
