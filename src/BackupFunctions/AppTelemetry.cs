using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using BackupFunctions.Core.Health;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace BackupFunctions;

/// <summary>
/// Logs, traces and the engine's metrics (<see cref="BackupMetrics"/>) through OpenTelemetry, exported to Application
/// Insights when <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set (host.json has <c>telemetryMode: OpenTelemetry</c>,
/// so host and worker telemetry correlate). Without it nothing is exported, which is what local runs want.
/// </summary>
public static class AppTelemetry
{
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>The Functions platform's switch for Entra ID (local auth disabled) ingestion: <c>Authorization=AAD</c>.</summary>
    public const string AuthenticationStringSetting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    public static IOpenTelemetryBuilder AddBackupTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var telemetry = services.AddOpenTelemetry()
            .UseFunctionsWorkerDefaults()
            .WithMetrics(metrics => metrics.AddMeter(BackupMetrics.MeterName));
        var connectionString = configuration[ConnectionStringSetting];
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            var entraAuth = configuration[AuthenticationStringSetting]?.Contains("Authorization=AAD", StringComparison.OrdinalIgnoreCase) == true;
            telemetry.UseAzureMonitorExporter(options =>
            {
                options.ConnectionString = connectionString;
                // The deployment turns off the component's key-based ingestion; the app's own identity sends instead.
                if (entraAuth)
                    options.Credential = new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned);
            });
        }
        return telemetry;
    }
}
