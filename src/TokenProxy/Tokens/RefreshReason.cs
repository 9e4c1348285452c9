namespace TokenProxy.Tokens;

/// <summary>Why a refresh ran; a span and metric attribute (<c>tokenproxy.refresh.reason</c>).</summary>
internal enum RefreshReason
{
    /// <summary>A request found the token expiring within the skew.</summary>
    Expiring,

    /// <summary>The provider's API answered 401 to the current token.</summary>
    Upstream401,

    /// <summary>A person asked for it (admin API).</summary>
    Manual,

    /// <summary>The background refresher: ahead of expiry, or an idle refresh token kept alive.</summary>
    Background,
}

internal static class RefreshReasonNames
{
    public static string ToWire(this RefreshReason reason) => reason switch
    {
        RefreshReason.Expiring => "expiring",
        RefreshReason.Upstream401 => "upstream_401",
        RefreshReason.Manual => "manual",
        RefreshReason.Background => "background",
        _ => throw new ArgumentOutOfRangeException(nameof(reason)),
    };
}
