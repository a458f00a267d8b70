using DurableTask.AzureStorage;
using DurableTask.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BackupFunctions.LocalHost.Durable;

/// <summary>
/// The Durable Task sidecar (the gRPC service the worker and client talk to) over DTFx's Azure Storage backend instead
/// of the in-process test host's in-memory one. The package's own sidecar host is internal and bound to its in-memory
/// service, but its gRPC service (<see cref="TaskHubGrpcServer"/>) is public and takes any <see cref="IOrchestrationService"/>,
/// so it is hosted here the same way: its own Kestrel on loopback, HTTP/2 only.
/// </summary>
internal sealed class AzureStorageSidecarHost(string address, AzureStorageOrchestrationService service, ILoggerFactory loggerFactory)
    : IHostedService, IAsyncDisposable
{
    private IHost? _host;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Creates the task hub's queues, tables and lease container on first use; a restarted host finds them.
        await service.CreateIfNotExistsAsync();
        _host = Host.CreateDefaultBuilder()
            .ConfigureLogging(logging =>
            {
                logging.ClearProviders();
                logging.Services.AddSingleton(loggerFactory);
            })
            .ConfigureWebHostDefaults(web =>
            {
                web.UseUrls(address);
                web.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen => listen.Protocols = HttpProtocols.Http2));
                web.ConfigureServices(services =>
                {
                    services.AddGrpc();
                    services.AddSingleton<IOrchestrationService>(service);
                    services.AddSingleton<IOrchestrationServiceClient>(service);
                    services.AddSingleton<TaskHubGrpcServer>();
                });
                web.Configure(app =>
                {
                    app.UseRouting();
                    app.UseEndpoints(endpoints => endpoints.MapGrpcService<TaskHubGrpcServer>());
                });
            })
            .Build();
        await _host.StartAsync(cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_host is not null)
            await _host.StopAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
            _host = null;
        }
    }
}
