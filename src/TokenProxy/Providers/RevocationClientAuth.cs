namespace TokenProxy.Providers;

/// <summary>How the client authenticates at a <see cref="RevocationEndpoint"/>.</summary>
internal enum RevocationClientAuth
{
    /// <summary>HTTP Basic with the client id and secret (RFC 6749 §2.3.1).</summary>
    Basic,

    /// <summary><c>client_id</c> and <c>client_secret</c> next to the token in the body.</summary>
    Post,

    /// <summary>None: the token alone is the proof (Google, Slack, Salesforce).</summary>
    None,
}
