namespace TokenProxy.OAuth;

/// <summary>Who the tokens belong to, as the provider's identity endpoint says; each field when the provider gives it.</summary>
internal sealed record AccountIdentity(string? Id, string? Email, string? Name);
