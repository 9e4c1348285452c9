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
}
