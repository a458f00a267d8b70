using Azure.Data.Tables;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Health;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Notifications;
using BackupFunctions.Core.Restores;
using BackupFunctions.Core.Secrets;
using BackupFunctions.Core.Sources;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Verification;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace BackupFunctions.Core;

/// <summary>The engine's composition: options bound from settings and checked at start-up, and the services built on them.</summary>
public static class BackupEngineServices
{
    public static IServiceCollection AddBackupEngine(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        // IMeterFactory for the engine's metrics; the host's OpenTelemetry pipeline (if any) picks up BackupMetrics.MeterName.
        services.AddMetrics();
        services.TryAddSingleton<BackupMetrics>();

        services.AddOptions<CatalogOptions>().Bind(configuration.GetSection(CatalogOptions.SectionName))
            .Validate(o => o.ConnectionString.Length > 0 || Uri.IsWellFormedUriString(o.TableServiceUri, UriKind.Absolute),
                "Set Catalog:ConnectionString (Azurite/connection string) or Catalog:TableServiceUri (managed identity).")
            .Validate(o => o.TablePrefix.All(char.IsAsciiLetterOrDigit), "Catalog:TablePrefix may contain only letters and digits.")
            .ValidateOnStart();
        services.AddOptions<StorageOptions>().Bind(configuration.GetSection(StorageOptions.SectionName))
            .Validate(o => o.Retries is >= 0 and <= 10, "Storage:Retries must be 0-10.")
            .Validate(o => o.RetryDelaySeconds is > 0 and <= 60, "Storage:RetryDelaySeconds must be more than 0 and at most 60.")
            .Validate(o => o.TemporaryGraceHours is >= 1 and <= 8760, "Storage:TemporaryGraceHours must be 1-8760 (a year).")
            .ValidateOnStart();
        services.AddOptions<KeyOptions>().Bind(configuration.GetSection(KeyOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<KeyOptions>>(new KeyOptionsValidator(name => configuration[name]));
        services.AddOptions<PostgresToolsOptions>().Bind(configuration.GetSection(PostgresToolsOptions.SectionName))
            .Validate(o => o.BinDirectory.Length == 0 || Directory.Exists(o.BinDirectory), "The folder named by Postgres:BinDirectory does not exist.")
            .Validate(o => PostgresTrustedRoots.Check(o.SslRootCertFile) is null,
                "Postgres:SslRootCertFile must name a PEM file of trusted certificate authorities (empty: the system's CA bundle, which this machine must then have).")
            .ValidateOnStart();
        services.AddOptions<VerificationOptions>().Bind(configuration.GetSection(VerificationOptions.SectionName))
            .Validate(o => o.Validate() is null, "Verification:DeepSchedule must be an NCRONTAB expression with six fields (or empty: off) and Verification:DeepPerRun 1-100.")
            .ValidateOnStart();

        services.AddOptions<JobOptions>().Bind(configuration.GetSection(JobOptions.SectionName))
            .Validate(o => o.Validate() is null, "Jobs:ProgressIntervalSeconds must be 0.1-60 and Jobs:StaleAfterMinutes 5-1440.")
            .ValidateOnStart();
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<JobOptions>>().Value);
        services.AddOptions<VolumeOptions>().Bind(configuration.GetSection(VolumeOptions.SectionName))
            .Validate(o => o.Validate() is null, "Backups:VolumeSizeMiB must be 1-65536, Backups:VolumeMaxFiles 1-10000000 and Backups:MaxParallelVolumes 1-64.")
            .ValidateOnStart();
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<VolumeOptions>>().Value);

        services.TryAddSingleton(sp => CatalogTableServiceFactory.Create(sp.GetRequiredService<IOptions<CatalogOptions>>().Value));
        services.TryAddSingleton(sp => new BackupCatalog(
            sp.GetRequiredService<TableServiceClient>(),
            sp.GetRequiredService<IOptions<CatalogOptions>>().Value.TablePrefix,
            sp.GetRequiredService<TimeProvider>()));
        services.AddOptions<KeyOptions>().Validate(o => o.TransitKey.Length == 0 || IsTransitKey(o.TransitKey),
            "Keys:TransitKey must be 32 random bytes as base64 (head -c 32 /dev/urandom | base64), or empty.");
        // Optional service: BackupRunner takes it when the setting is there (validated above at start-up).
        if (configuration[$"{KeyOptions.SectionName}:{nameof(KeyOptions.TransitKey)}"] is { Length: > 0 })
            services.TryAddSingleton(sp => DataKeyTransit.FromBase64(sp.GetRequiredService<IOptions<KeyOptions>>().Value.TransitKey));
        services.TryAddSingleton(sp => KeyEncryptionKeys.Create(sp.GetRequiredService<IOptions<KeyOptions>>().Value, name => configuration[name]));
        services.TryAddSingleton<BackupStoreFactory>();
        services.AddOptions<SecretOptions>().Bind(configuration.GetSection(SecretOptions.SectionName))
            .Validate(o => o.SealingKey.Length == 0 || IsBase64Key(o.SealingKey), "Secrets:SealingKey must be 32 random bytes as base64 (head -c 32 /dev/urandom | base64), or empty.")
            .ValidateOnStart();
        // Secrets referenced by API callers come only from the BackupSecrets section (never any other app setting).
        services.TryAddSingleton(new SecretReferences(configuration));
        services.TryAddSingleton(sp => new SecretSealer(sp.GetRequiredService<IOptions<SecretOptions>>().Value.SealingKey, sp.GetRequiredService<SecretReferences>()));
        services.TryAddSingleton<StorageProbe>();
        services.TryAddSingleton<StorageLocations>();
        services.TryAddSingleton(sp => new PostgresDumper(sp.GetRequiredService<IOptions<PostgresToolsOptions>>().Value));
        services.TryAddSingleton<PostgresToolsStatus>();
        services.TryAddSingleton(sp => new PostgresRestorer(sp.GetRequiredService<IOptions<PostgresToolsOptions>>().Value));
        services.TryAddSingleton<DatabasePasswords>();
        services.TryAddSingleton(sp => new DatabaseConnections(
            sp.GetRequiredService<DatabasePasswords>(), sp.GetRequiredService<Network.NetworkPolicy>(), sp.GetRequiredService<IOptions<PostgresToolsOptions>>().Value));
        services.TryAddSingleton<BackupWriter>();
        services.TryAddSingleton<QuickVerifier>();
        services.TryAddSingleton<DeepVerifier>();
        services.TryAddSingleton<BackupVerifications>();
        services.TryAddSingleton<BackupCopies>();
        services.TryAddSingleton<BackupRunner>();
        services.TryAddSingleton<BackupLauncher>();
        services.TryAddSingleton(sp => new JobLogs(
            sp.GetRequiredService<TableServiceClient>(),
            sp.GetRequiredService<IOptions<CatalogOptions>>().Value.TablePrefix,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<JobLogs>>()));
        services.TryAddSingleton<JobCancellation>();
        services.TryAddSingleton<JobWatchdog>();
        services.TryAddSingleton<JobHistoryPurge>();
        services.TryAddSingleton<RestoreRunner>();
        services.TryAddSingleton(sp => new InPlaceRestorer(
            sp.GetService<IKeyEncryptionKey>(),
            sp.GetRequiredService<IOptions<PostgresToolsOptions>>().Value,
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<InPlaceRestorer>>()));
        services.AddOptions<RestoreJobOptions>().Bind(configuration.GetSection(RestoreJobOptions.SectionName))
            .Validate(o => o.Validate() is null, $"Restore:LockTimeoutSeconds must be 0.1-3600 and Restore:MaxParallelVolumes 1-{BackupVolumes.MaxParallelism}.")
            .ValidateOnStart();
        services.TryAddSingleton<RestoreJobRunner>();
        services.TryAddSingleton<RestoreClaims>();
        // The restore API: checks, preview and start (RestoreLauncher)
        services.TryAddSingleton(sp => new PostgresInPlaceRestorer(sp.GetRequiredService<IOptions<PostgresToolsOptions>>().Value));
        services.TryAddSingleton(sp => new RestorePreviewer(sp.GetService<IKeyEncryptionKey>()));
        services.TryAddSingleton<RestoreLauncher>();
        services.TryAddSingleton<Retention.RetentionCleaner>();
        services.TryAddSingleton(sp => new Downloads.BackupDownloader(
            sp.GetRequiredService<BackupCatalog>(), sp.GetRequiredService<StorageLocations>(), sp.GetService<IKeyEncryptionKey>()));
        // Health and alerts
        services.AddOptions<AlertOptions>().Bind(configuration.GetSection(AlertOptions.SectionName))
            .Validate(o => o.OverdueGraceMinutes is >= 0 and <= 10_080, "Alerts:OverdueGraceMinutes must be 0-10080 (a week).")
            .ValidateOnStart();
        services.TryAddSingleton(sp => new StorageUsageTable(
            sp.GetRequiredService<TableServiceClient>(), sp.GetRequiredService<IOptions<CatalogOptions>>().Value.TablePrefix));
        services.TryAddSingleton<DestinationUsageMeter>();
        services.TryAddSingleton<FailureAlerts>();
        services.TryAddSingleton<AlertMonitor>();
        services.TryAddSingleton<HealthReader>();
        services.AddBackupNotifications(configuration);
        // Outbound connections made on an API caller's behalf
        Network.NetworkServices.AddNetworkPolicy(services, configuration);
        // Which site folders configs may back up
        services.AddOptions<FilesOptions>().Bind(configuration.GetSection(FilesOptions.SectionName))
            .Validate(o => o.Validate() is null, "Files:AllowedRoots must be absolute folders separated by ';' (e.g. /var/www), or empty.")
            .ValidateOnStart();
        services.TryAddSingleton<SiteRoots>();
        services.TryAddSingleton<Sources.Sites.SiteSources>(sp => new Sources.Sites.SiteSources(
            sp.GetRequiredService<SiteRoots>(), sp.GetRequiredService<Network.NetworkPolicy>(), sp.GetRequiredService<SecretReferences>(), sp.GetService<Azure.Core.TokenCredential>()));
        services.TryAddSingleton<BackupConfigChecks>();
        // The CMS this install runs beside: the source of configs that name none
        services.AddSingleton<IValidateOptions<CmsSourceOptions>, CmsSourceOptionsValidator>();
        services.AddOptions<CmsSourceOptions>().Bind(configuration.GetSection(CmsSourceOptions.SectionName)).ValidateOnStart();
        services.TryAddSingleton<BackupConfigEditor>();
        services.TryAddSingleton(sp => new BackupConfigTester(
            sp.GetRequiredService<DatabaseConnections>(), sp.GetRequiredService<IOptions<PostgresToolsOptions>>(), sp.GetRequiredService<SiteRoots>(),
            sp.GetRequiredService<StorageLocations>(), sp.GetRequiredService<StorageProbe>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetService<IKeyEncryptionKey>(), sp.GetRequiredService<Sources.Sites.SiteSources>()));
        Restores.Drills.RestoreDrillServices.AddRestoreDrills(services, configuration);
        return services;
    }

    private static bool IsBase64Key(string value)
    {
        var bytes = new byte[33];
        return Convert.TryFromBase64String(value, bytes, out var written) && written == 32;
    }

    private static bool IsTransitKey(string value)
    {
        try
        {
            DataKeyTransit.FromBase64(value);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
