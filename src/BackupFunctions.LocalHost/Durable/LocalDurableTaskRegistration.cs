using DurableTask.AzureStorage;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BackupFunctions.LocalHost.Durable;

/// <summary>Registers the local host's Durable Task sidecar, worker and client on the backend <see cref="LocalDurableOptions"/> names.</summary>
internal static class LocalDurableTaskRegistration
{
    public static IServiceCollection AddLocalDurableTask(this IServiceCollection services, IConfiguration configuration,
        IReadOnlyList<FunctionDescriptor> functions, LocalDurableOptions options, int sidecarPort)
    {
        var delay = TimeSpan.FromMilliseconds(options.TestOnlyVolumeDelayMilliseconds);
        if (!options.UsesAzureStorage)
        {
            return services.AddInMemoryDurableTask(
                registry => registry.AddFunctions(functions, delay),
                new InMemoryDurableTaskOptions { Port = sidecarPort });
        }

        var connection = options.StorageConnection is { Length: > 0 } own ? own
            : configuration["AzureWebJobsStorage"] is { Length: > 0 } jobs ? jobs
            : throw new InvalidOperationException("LocalHost:DurableBackend=azureStorage needs LocalHost:StorageConnection or AzureWebJobsStorage.");
        var address = $"http://127.0.0.1:{sidecarPort}";
        var visibility = TimeSpan.FromSeconds(options.MessageVisibilitySeconds);
        services.AddSingleton(sp => new AzureStorageOrchestrationService(new AzureStorageOrchestrationServiceSettings
        {
            TaskHubName = options.TaskHub,
            StorageAccountClientProvider = new StorageAccountClientProvider(connection),
            WorkItemQueueVisibilityTimeout = visibility,
            ControlQueueVisibilityTimeout = visibility,
            // An idle queue is polled less and less often, up to 30 s by default (fewer storage transactions in Azure);
            // locally that is only waiting, so the next step starts within a second.
            MaxQueuePollingInterval = TimeSpan.FromSeconds(1),
            LoggerFactory = sp.GetRequiredService<ILoggerFactory>(),
        }));
        services.AddHostedService(sp => new AzureStorageSidecarHost(
            address, sp.GetRequiredService<AzureStorageOrchestrationService>(), sp.GetRequiredService<ILoggerFactory>()));
        services.AddDurableTaskWorker(builder =>
        {
            builder.UseGrpc(address);
            builder.AddTasks(registry => registry.AddFunctions(functions, delay));
        });
        services.AddDurableTaskClient(builder =>
        {
            builder.UseGrpc(address);
            builder.RegisterDirectly();
        });
        return services;
    }
}
