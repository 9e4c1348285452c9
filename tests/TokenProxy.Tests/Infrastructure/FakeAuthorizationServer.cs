using System.Collections.Concurrent;
using System.Text.Json;

namespace TokenProxy.Tests.Infrastructure;

/// <summary>
/// A scriptable OAuth token endpoint on loopback, for what a real server will not do on demand:
/// 200-with-error bodies, 503 with Retry-After, redirects, slow answers. It counts every call and keeps
/// every form it received. By default it answers a refresh with new, rotated tokens.
/// </summary>
internal sealed class FakeAuthorizationServer : IAsyncDisposable
{
    private readonly LoopbackServer _server;
    private int _calls;

    private FakeAuthorizationServer(LoopbackServer server) => _server = server;

    public Uri Address => _server.Address;

    public Uri TokenUrl => new(Address, "/token");

    public int Calls => Volatile.Read(ref _calls);

    public ConcurrentQueue<Dictionary<string, string>> Forms { get; } = new();

    /// <summary>Every Authorization header the token endpoint received (client authentication).</summary>
    public ConcurrentQueue<string?> ClientAuthorizations { get; } = new();

    /// <summary>When set, the token endpoint waits for it before answering.</summary>
    public TaskCompletionSource? Hold { get; set; }

    /// <summary>Completes when the token endpoint receives its first call.</summary>
    public TaskCompletionSource FirstCall { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Func<HttpContext, int, Task> Respond { get; set; } = IssueTokens();

    /// <summary>Every form the revocation endpoint received.</summary>
    public ConcurrentQueue<Dictionary<string, string>> Revocations { get; } = new();

    public Func<HttpContext, Task> RevokeRespond { get; set; } = _ => Task.CompletedTask;

    /// <summary>What the identity endpoint answers: the account signed in.</summary>
    public object UserInfo { get; set; } = new { sub = "user-42", email = "ada@example.com", name = "Ada Lovelace" };

    /// <summary>Every Authorization header the identity endpoint received.</summary>
    public ConcurrentQueue<string> UserInfoAuthorizations { get; } = new();

    /// <summary>Answers call n with <c>access-n</c>, <c>refresh-n</c> (rotation) and the given lifetime.</summary>
    public static Func<HttpContext, int, Task> IssueTokens(int expiresIn = 3600, bool rotate = true, string prefix = "") => (context, n) =>
        context.Response.WriteAsJsonAsync(new Dictionary<string, object?>
        {
            ["access_token"] = $"{prefix}access-{n}",
            ["refresh_token"] = rotate ? $"{prefix}refresh-{n}" : null,
            ["token_type"] = "Bearer",
            ["expires_in"] = expiresIn,
        }.Where(p => p.Value is not null).ToDictionary());

    public static Func<HttpContext, int, Task> Answer(int status, object? json = null, string? retryAfter = null, string? location = null) => async (context, _) =>
    {
        context.Response.StatusCode = status;
        if (retryAfter is not null)
        {
            context.Response.Headers.RetryAfter = retryAfter;
        }

        if (location is not null)
        {
            context.Response.Headers.Location = location;
        }

        if (json is not null)
        {
            await context.Response.WriteAsync(json as string ?? JsonSerializer.Serialize(json));
        }
    };

    public static async Task<FakeAuthorizationServer> StartAsync()
    {
        FakeAuthorizationServer? fake = null;
        var server = await LoopbackServer.StartAsync(async context =>
        {
            switch (context.Request.Path.Value)
            {
                case "/userinfo":
                    fake!.UserInfoAuthorizations.Enqueue(context.Request.Headers.Authorization.ToString());
                    await context.Response.WriteAsJsonAsync(fake.UserInfo);
                    return;
                case "/revoke":
                    fake!.Revocations.Enqueue((await context.Request.ReadFormAsync()).ToDictionary(p => p.Key, p => p.Value.ToString()));
                    await fake.RevokeRespond(context);
                    return;
                case "/token":
                    break;
                default:
                    context.Response.StatusCode = 404;
                    return;
            }

            var form = (await context.Request.ReadFormAsync()).ToDictionary(p => p.Key, p => p.Value.ToString());
            var n = Interlocked.Increment(ref fake!._calls);
            fake.Forms.Enqueue(form);
            fake.ClientAuthorizations.Enqueue(context.Request.Headers.Authorization.ToString());
            fake.FirstCall.TrySetResult();
            if (fake.Hold is { } hold)
            {
                await hold.Task;
            }

            context.Response.ContentType = "application/json";
            await fake.Respond(context, n);
        });
        fake = new FakeAuthorizationServer(server);
        return fake;
    }

    /// <summary>Provider settings for <paramref name="name"/>: this server's token endpoint, <paramref name="api"/> as the API.</summary>
    public Dictionary<string, string?> Provider(string name, Uri api) => new()
    {
        [$"TokenProxy:Providers:{name}:ApiBaseUrl"] = api.AbsoluteUri,
        [$"TokenProxy:Providers:{name}:AuthorizationUrl"] = new Uri(Address, "/authorize").AbsoluteUri,
        [$"TokenProxy:Providers:{name}:TokenUrl"] = TokenUrl.AbsoluteUri,
        [$"TokenProxy:Providers:{name}:ClientId"] = "test-client",
        [$"TokenProxy:Providers:{name}:ClientSecret"] = ClientSecret,
        [$"TokenProxy:Providers:{name}:RevocationUrl"] = new Uri(Address, "/revoke").AbsoluteUri,
        [$"TokenProxy:Providers:{name}:Identity:Url"] = new Uri(Address, "/userinfo").AbsoluteUri,
        [$"TokenProxy:Providers:{name}:Identity:IdField"] = "sub",
        [$"TokenProxy:Providers:{name}:Identity:EmailField"] = "email",
        [$"TokenProxy:Providers:{name}:Identity:NameField"] = "name",
    };

    public const string ClientSecret = "CANARYclientsecret-0123456789abcdef";

    public ValueTask DisposeAsync()
    {
        Hold?.TrySetResult();
        return _server.DisposeAsync();
    }
}
