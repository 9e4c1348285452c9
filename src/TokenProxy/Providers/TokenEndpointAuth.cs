namespace TokenProxy.Providers;

/// <summary>How the client authenticates at the token endpoint (RFC 6749 §2.3.1, RFC 8414 names).</summary>
internal enum TokenEndpointAuth
{
    /// <summary><c>client_secret_basic</c>: HTTP Basic with the form-encoded client id and secret.</summary>
    ClientSecretBasic,

    /// <summary><c>client_secret_post</c>: <c>client_id</c> and <c>client_secret</c> in the form body.</summary>
    ClientSecretPost,

    /// <summary><c>none</c>: a public client; <c>client_id</c> in the body, no secret.</summary>
    None,
}
