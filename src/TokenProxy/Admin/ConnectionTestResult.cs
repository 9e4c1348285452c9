namespace TokenProxy.Admin;

/// <summary>
/// What <c>POST …/connections/{id}/test</c> answers (README, "Admin API"): whether the provider accepted the connection's
/// credentials on one cheap read, its status and how long it took, the account it named, and in <c>Message</c> what that
/// means for the person, in words. <c>Error</c> says why it failed: <c>rejected</c>, <c>forbidden</c>,
/// <c>provider_error</c>, <c>unreachable</c>, or the token lookup's wire code (<c>reconnect_required</c>, …); null when it
/// worked. Never a token, nor anything of the provider's body but the account's fields.
/// </summary>
internal sealed record ConnectionTestResult(bool Ok, int? Status, long? LatencyMs, AccountView? Account, string? Error, string Message);
