using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace BackupFunctions.Core.Network;

/// <summary>The <see cref="NetworkPolicy"/> singleton and its options (section <c>Network</c>, checked at start-up).</summary>
public static class NetworkServices
{
    /// <summary>Registers the policy once, whichever composition (engine, notifications) asks first.</summary>
    public static IServiceCollection AddNetworkPolicy(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(NetworkPolicy)))
            return services;
        services.AddOptions<NetworkOptions>().Bind(configuration.GetSection(NetworkOptions.SectionName))
            .Validate(o => IsRangeList(o.AllowedRanges),
                "Network:AllowedRanges must be CIDR ranges separated by commas (e.g. 10.0.0.0/8, 127.0.0.0/8), or empty.")
            .ValidateOnStart();
        services.TryAddSingleton(sp => NetworkPolicy.FromOptions(sp.GetRequiredService<IOptions<NetworkOptions>>().Value));
        return services;
    }

    private static bool IsRangeList(string value)
    {
        try
        {
            NetworkPolicy.ParseRanges(value);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
