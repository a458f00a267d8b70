using BackupFunctions.Core;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Sources;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace BackupFunctions;

/// <summary>
/// The app's services, registered once here and used by both hosts: the Functions worker (Program.cs) and the local
/// host that runs the same functions without Core Tools.
/// </summary>
public static class BackupFunctionsApp
{
    public static IServiceCollection AddBackupFunctionsApp(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddBackupEngine(configuration);
        services.AddHostedService<CatalogInitializer>();
        services.AddHostedService<PostgresToolsCheck>();
        services.AddSingleton<Ui.UiAssets>();
        return services;
    }

    /// <summary>Creates the catalog tables at start-up, so the first request does not pay for it (or race it).</summary>
    private sealed class CatalogInitializer(BackupCatalog catalog) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => catalog.EnsureCreatedAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>
    /// Finds pg_dump and pg_restore at start-up and logs their versions and paths (a missing tool is a warning, not a
    /// failed start: a service that backs up no database needs none).
    /// </summary>
    private sealed class PostgresToolsCheck(PostgresToolsStatus status) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => status.GetAsync();

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
