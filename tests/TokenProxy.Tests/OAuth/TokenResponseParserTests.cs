using System.Net;
using Microsoft.Extensions.Options;
using TokenProxy.OAuth;
using TokenProxy.Providers;

namespace TokenProxy.Tests.OAuth;

public sealed class TokenResponseParserTests
{
    private static readonly ProviderCatalog Catalog = new(Options.Create(new ProvidersOptions()), new ProvidersOptionsValidator(new PresetLibrary()));

    private static ProviderDefinition Provider(string name)
    {
        Catalog.TryGet(name, out var provider);
        return provider!;
    }

    [Fact]
    public void Json_answer_is_read_with_expiry_scopes_and_type()
    {
        var result = TokenResponseParser.Parse(HttpStatusCode.OK, "application/json",
            """{"access_token":"a1","refresh_token":"r1","expires_in":"3600","token_type":"BEARER","scope":"read write"}""", null, Provider("github"));

        Assert.True(result.Succeeded);
        Assert.Equal("a1", result.Value.AccessToken);
        Assert.Equal("r1", result.Value.RefreshToken);
        Assert.Equal(TimeSpan.FromHours(1), result.Value.ExpiresIn);
        Assert.Equal("BEARER", result.Value.TokenType);
        Assert.Equal(["read", "write"], result.Value.Scopes);
    }

    [Fact]
    public void Form_encoded_answer_is_read_like_json()
    {
        var result = TokenResponseParser.Parse(HttpStatusCode.OK, "application/x-www-form-urlencoded",
            "access_token=gho_abc&scope=read%3Auser&token_type=bearer", null, Provider("github"));

        Assert.True(result.Succeeded);
        Assert.Equal("gho_abc", result.Value.AccessToken);
        Assert.Null(result.Value.ExpiresIn);
        Assert.Equal(["read:user"], result.Value.Scopes);
    }

    [Fact]
    public void Slack_user_token_is_read_from_authed_user_and_team_is_kept()
    {
        var result = TokenResponseParser.Parse(HttpStatusCode.OK, "application/json", """
            {"ok":true,"app_id":"A1","authed_user":{"id":"U1","scope":"users:read,chat:write","access_token":"xoxp-1","token_type":"user"},
             "team":{"id":"T1","name":"Acme"}}
            """, null, Provider("slack"));

        Assert.True(result.Succeeded);
        Assert.Equal("xoxp-1", result.Value.AccessToken);
        Assert.Equal(["users:read", "chat:write"], result.Value.Scopes);
        Assert.Equal("T1", result.Value.Metadata["team.id"]);
        Assert.Equal("Acme", result.Value.Metadata["team.name"]);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("")]
    [InlineData("[1,2]")]
    public void Unreadable_success_answer_is_transient(string body)
    {
        var result = TokenResponseParser.Parse(HttpStatusCode.OK, "application/json", body, null, Provider("github"));

        Assert.False(result.Succeeded);
        Assert.Equal(FailureKind.Transient, result.Failure!.Kind);
    }

    [Theory]
    [InlineData("abc\u0000def")]
    [InlineData("abc def")]
    [InlineData("abcé")]
    public void Token_that_cannot_travel_in_a_header_is_rejected(string token)
    {
        var body = System.Text.Json.JsonSerializer.Serialize(new { access_token = token });

        var result = TokenResponseParser.Parse(HttpStatusCode.OK, "application/json", body, null, Provider("github"));

        Assert.Equal(FailureKind.Rejected, result.Failure!.Kind);
        Assert.Equal("invalid_token_response", result.Failure.Error);
        Assert.DoesNotContain(token, result.Failure.Description!, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void Non_positive_lifetime_means_unknown(int seconds)
    {
        var result = TokenResponseParser.Parse(HttpStatusCode.OK, "application/json", $$"""{"access_token":"a","expires_in":{{seconds}}}""", null, Provider("github"));

        Assert.Null(result.Value!.ExpiresIn);
    }
}
