using System.Text.RegularExpressions;
using TokenProxy.OAuth;

namespace TokenProxy.Tests.OAuth;

public sealed partial class PkceTests
{
    [Fact]
    public void Challenge_matches_the_rfc_7636_appendix_b_vector()
    {
        Assert.Equal("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", Pkce.Challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
    }

    [Fact]
    public void Verifiers_are_unique_and_well_formed_over_10000_draws()
    {
        var verifiers = Enumerable.Range(0, 10_000).Select(_ => Pkce.CreateVerifier()).ToList();

        Assert.All(verifiers, v => Assert.Matches(VerifierPattern(), v));
        Assert.Equal(verifiers.Count, verifiers.Distinct(StringComparer.Ordinal).Count());
    }

    // RFC 7636 §4.1: code-verifier = 43*128unreserved.
    [GeneratedRegex("^[A-Za-z0-9._~-]{43,128}$")]
    private static partial Regex VerifierPattern();
}
