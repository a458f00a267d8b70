using System.Net;
using System.Net.Sockets;
using BackupFunctions.LocalHost.Durable;
using BackupFunctions.LocalHost.Http;
using BackupFunctions.LocalHost.Timers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BackupFunctions.LocalHost;

/// <summary>
/// Runs the Functions app without the Functions Core Tools: HTTP triggers on Kestrel, timer triggers on their
/// schedules, orchestrators and activities on Microsoft's in-process Durable Task host. Functions are discovered from
/// their attributes and the app's own service registration is used, so nothing is registered twice.
/// </summary>
public sealed class LocalFunctionsHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LocalFunctionsHost(WebApplication app, Uri baseAddress, IReadOnlyList<FunctionDescriptor> functions)
    {
        _app = app;
        BaseAddress = baseAddress;
        Functions = functions;
    }

    /// <summary>Where the HTTP functions answer, e.g. http://127.0.0.1:7071/ (the routes start with api/).</summary>
    public Uri BaseAddress { get; }

    public IServiceProvider Services => _app.Services;

    public IReadOnlyList<FunctionDescriptor> Functions { get; }

    public static async Task<LocalFunctionsHost> StartAsync(LocalHostOptions options, CancellationToken cancellationToken = default)
    {
        // The sidecar's port is picked free, then bound a moment later: another process (or an outgoing connection's
        // local port) can take it in between. Then the host is built again on another port.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(options, cancellationToken);
            }
            catch (IOException e) when (attempt < 5 && e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
            {
            }
        }
    }

    private static async Task<LocalFunctionsHost> StartOnceAsync(LocalHostOptions options, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        if (options.SettingsFile is not null)
            builder.Configuration.AddLocalSettingsFile(options.SettingsFile);
        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddInMemoryCollection(options.Settings);
        builder.WebHost.UseUrls(options.Url);
        builder.Logging.AddFilter("Microsoft.DurableTask", LogLevel.Warning)
            .AddFilter("Grpc", LogLevel.Warning)
            .AddFilter("Microsoft.AspNetCore", LogLevel.Warning)
            .AddFilter("DurableTask", LogLevel.Warning);

        var functions = FunctionDiscovery.Discover(typeof(FunctionNames).Assembly);
        builder.Services.AddBackupFunctionsApp(builder.Configuration);
        builder.Services.AddMvcCore();
        var durable = builder.Configuration.GetSection(LocalDurableOptions.SectionName).Get<LocalDurableOptions>() ?? new LocalDurableOptions();
        if (durable.Validate() is { } invalid)
            throw new InvalidOperationException(invalid);
        // The in-memory sidecar otherwise picks a random port in 30000–40000, which can collide with an ephemeral
        // port already taken (Kestrel's own port 0, another host in the same test run).
        builder.Services.AddLocalDurableTask(builder.Configuration, functions, durable, FreeLoopbackPort());
        if (options.EnableTimers)
        {
            foreach (var timer in functions.Where(f => f.Kind == FunctionKind.Timer))
            {
                builder.Services.AddSingleton<IHostedService>(sp => new TimerFunctionService(
                    timer, sp, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<TimerFunctionService>>()));
            }
        }
        options.ConfigureServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.MapHttpFunctions(functions);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LocalFunctionsHost(app, new Uri(address.TrimEnd('/') + "/"), functions);
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Waits until the process is asked to stop (Ctrl+C, SIGTERM).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
