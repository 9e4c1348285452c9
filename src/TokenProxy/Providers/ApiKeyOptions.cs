namespace TokenProxy.Providers;

/// <summary><c>TokenProxy:Providers:{name}:ApiKey</c>: where an API key goes upstream; exactly one of Header or Query.</summary>
internal sealed class ApiKeyOptions
{
    /// <summary>The request header that carries the key (<c>X-Api-Key</c>).</summary>
    public string? Header { get; set; }

    /// <summary>The query parameter that carries the key (<c>api_key</c>); one the app sent by that name is replaced.</summary>
    public string? Query { get; set; }

    /// <summary>The value written, with <c>{key}</c> once (<c>Token token={key}</c>). Default: <c>{key}</c>.</summary>
    public string? Format { get; set; }

    /// <summary>
    /// Instead of Header and Query: Basic credentials made from the key, a <c>user:password</c> template with <c>{key}</c>
    /// once (<c>{key}:X</c>), sent as <c>Authorization: Basic base64(…)</c> (RFC 7617), for APIs that take their key as
    /// a Basic user name (Freshdesk).
    /// </summary>
    public string? Basic { get; set; }
}
