using System.Net;
using TokenProxy.OAuth;
using TokenProxy.Providers;

namespace TokenProxy.Tests.OAuth;

/// <summary>Reading an API's insufficient_scope answer (RFC 6750 §3.1, RFC 9110 §11.6.1) and GitHub's scope headers.</summary>
public sealed class ScopeChallengeTests
{
    private static readonly ProviderDefinition Plain = new() { Name = "acme", DisplayName = "Acme", TokenHeader = TokenHeaderFormat.TryParse(TokenHeaderFormat.Default, out _)! };
    private static readonly ProviderDefinition GitHubLike = Plain with { ScopeHeaders = new ScopeHeaders("X-OAuth-Scopes", "X-Accepted-OAuth-Scopes") };

    private static HttpResponseMessage Answer(HttpStatusCode status, params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage(status);
        foreach (var (name, value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }

    [Theory]
    [InlineData("Bearer error=\"insufficient_scope\", scope=\"a b\"")]
    [InlineData("Basic realm=\"x\", Bearer realm=\"api\",error=\"insufficient_scope\" , scope=\"a b\"")]
    [InlineData("bearer ERROR=\"insufficient_scope\", scope=\"a b a\", error_description=\"say \\\"why\\\", then\"")]
    [InlineData("Bearer error=insufficient_scope, scope=\"a b \\\"<script>\"")]
    public void A_bearer_challenge_names_the_valid_scopes_it_needs(string challenge)
    {
        using var response = Answer(HttpStatusCode.Forbidden, ("WWW-Authenticate", challenge));

        var read = ScopeChallenge.Read(response, Plain);

        Assert.NotNull(read);
        Assert.Equal(["a", "b"], read.Required);
        Assert.False(read.AnyOf);
    }

    [Theory]
    [InlineData(HttpStatusCode.Forbidden, "Bearer error=\"invalid_token\"")]
    [InlineData(HttpStatusCode.Unauthorized, "Bearer realm=\"api\"")]
    [InlineData(HttpStatusCode.Forbidden, "Bearer error=\"insufficient_scope")]
    [InlineData(HttpStatusCode.BadRequest, "Bearer error=\"insufficient_scope\", scope=\"a\"")]
    [InlineData(HttpStatusCode.Forbidden, "Negotiate abc==, Basic realm=\"x\"")]
    public void Anything_else_is_no_challenge(HttpStatusCode status, string challenge)
    {
        using var response = Answer(status, ("WWW-Authenticate", challenge));

        Assert.Null(ScopeChallenge.Read(response, Plain));
    }

    [Fact]
    public void Accepted_scopes_none_of_which_is_granted_are_a_challenge_and_one_granted_is_not()
    {
        using var needs = Answer(HttpStatusCode.Forbidden, ("X-OAuth-Scopes", "read:user, gist"), ("X-Accepted-OAuth-Scopes", "repo, public_repo"));
        using var rateLimited = Answer(HttpStatusCode.Forbidden, ("X-OAuth-Scopes", "read:user, repo"), ("X-Accepted-OAuth-Scopes", "repo"));
        using var ok = Answer(HttpStatusCode.OK, ("X-OAuth-Scopes", "read:user"), ("X-Accepted-OAuth-Scopes", "repo"));

        var read = ScopeChallenge.Read(needs, GitHubLike);

        Assert.NotNull(read);
        Assert.Equal(["repo", "public_repo"], read.Required);
        Assert.Equal(["read:user", "gist"], read.Granted);
        Assert.True(read.AnyOf);
        Assert.Equal(["read:user", "gist", "repo", "public_repo"], read.Union(["stored"]));
        Assert.Null(ScopeChallenge.Read(rateLimited, GitHubLike));
        Assert.Null(ScopeChallenge.Read(ok, GitHubLike));
        Assert.Null(ScopeChallenge.Read(needs, Plain));
    }
}
