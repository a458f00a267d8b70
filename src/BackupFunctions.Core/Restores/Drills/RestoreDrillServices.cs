using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace BackupFunctions.Core.Restores.Drills;

/// <summary>The restore drills' part of the engine's composition (called from <see cref="BackupEngineServices"/>).</summary>
public static class RestoreDrillServices
{
    public static IServiceCollection AddRestoreDrills(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RestoreDrillOptions>().Bind(configuration.GetSection(RestoreDrillOptions.SectionName))
            .Validate(o => o.Validate() is null, "RestoreDrills:ScratchRoot must be an absolute folder, or empty (the system's temporary folder).")
            .ValidateOnStart();
        services.TryAddSingleton<RestoreDrillMetrics>();
        services.TryAddSingleton<RestoreDrillRunner>();
        services.TryAddSingleton<RestoreDrillLauncher>();
        return services;
    }
}
