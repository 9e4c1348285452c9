using Microsoft.Extensions.Options;

namespace TokenProxy.Hosting;

/// <summary>
/// Each folder validates its own options at start (<c>ValidateOnStart</c>), and the host would report each folder's
/// failures as a separate exception; this lists them all in one <see cref="OptionsValidationException"/>, as
/// <see cref="ConfigurationCheck"/> does before the host is built.
/// </summary>
internal sealed class StartupValidation(IStartupValidator eachFolder) : IStartupValidator
{
    /// <summary>Wraps the validator <c>ValidateOnStart</c> registered; call after every folder has added its options.</summary>
    public static void ListEveryProblem(IServiceCollection services)
    {
        var registered = services.Last(d => d.ServiceType == typeof(IStartupValidator));
        var implementation = registered.ImplementationType
            ?? throw new InvalidOperationException("The options' start validator is expected to be registered by type.");
        services.Remove(registered);
        services.AddTransient<IStartupValidator>(sp => new StartupValidation((IStartupValidator)ActivatorUtilities.CreateInstance(sp, implementation)));
    }

    public void Validate()
    {
        try
        {
            eachFolder.Validate();
        }
        catch (AggregateException e) when (e.InnerExceptions.All(inner => inner is OptionsValidationException))
        {
            var failures = e.InnerExceptions.Cast<OptionsValidationException>().ToList();
            throw new OptionsValidationException(
                ConfigurationCheck.SectionName, failures[0].OptionsType, failures.SelectMany(f => f.Failures).Distinct());
        }
    }
}
