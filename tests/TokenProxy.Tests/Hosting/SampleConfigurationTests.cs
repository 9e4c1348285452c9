using TokenProxy.Hosting;
using TokenProxy.Providers;

namespace TokenProxy.Tests.Hosting;

/// <summary>appsettings.sample.json documents every key: it must stay true to the code.</summary>
public sealed class SampleConfigurationTests
{
    [Fact]
    public void Every_key_of_the_sample_binds_to_an_option_and_the_sample_is_valid()
    {
        var sample = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../appsettings.sample.json"));
        var configuration = new ConfigurationBuilder().AddJsonFile(sample).Build();

        // ErrorOnUnknownConfiguration: a key in the sample that no option reads fails here.
        var options = configuration.GetSection(TokenProxyOptions.SectionName).Get<TokenProxyOptions>(o => o.ErrorOnUnknownConfiguration = true)!;
        var result = new TokenProxyOptionsValidator(new PresetLibrary(), configuration).Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
        Assert.Equal("http://127.0.0.1:5080", configuration["Urls"]);
        Assert.Equal(3, options.Providers.Count);
    }
}
