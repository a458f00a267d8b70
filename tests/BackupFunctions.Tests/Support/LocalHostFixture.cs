using System.Net.Http.Json;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Tests.Support;
using BackupFunctions.LocalHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace BackupFunctions.Tests.Support;

/// <summary>
/// The real Functions app on the local host (Kestrel on a free 127.0.0.1 port, in-process Durable Task host) against
/// the test run's Azurite and PostgreSQL, with its own table prefix, blob container and key file.
/// </summary>
public class LocalHostFixture : IAsyncLifetime
{
    private readonly TempFolder _folder = new("bf-host-");

    public LocalFunctionsHost Host { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public string TablePrefix { get; } = "t" + Guid.NewGuid().ToString("N")[..10];

    public string Container { get; } = "backups-" + Guid.NewGuid().ToString("N")[..10];

    public string LocalRoot => _folder.Combine("stores");

    public string KeyFile => _folder.Combine("backup.key");

    /// <summary>Seals the secrets of storage locations (Secrets:SealingKey).</summary>
    public string SealingKey { get; } = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    /// <summary>Every payload that went into orchestration history.</summary>
    public RecordingDataConverter History { get; } = new();

    /// <summary>Every log line the host wrote.</summary>
    public CapturingLoggerProvider Logs { get; } = new();

    /// <summary>Null unless a derived fixture supplies a fake clock.</summary>
    public FakeTimeProvider? Clock { get; private set; }

    protected virtual FakeTimeProvider? CreateClock() => null;

    /// <summary>Runs before the host starts (derived fixtures start their own servers here).</summary>
    protected virtual Task BeforeStartAsync() => Task.CompletedTask;

    /// <summary>Derived fixtures replace services here, after the app's own registrations.</summary>
    protected virtual void ConfigureServices(Microsoft.Extensions.DependencyInjection.IServiceCollection services)
    {
    }

    /// <summary>Derived fixtures change the app's settings here (another key-encryption key, say).</summary>
    protected virtual void ConfigureSettings(IDictionary<string, string?> settings)
    {
    }

    /// <summary>The folder under which <see cref="Scratch"/> folders (the tests' site roots) live: the host's Files:AllowedRoots.</summary>
    public string SitesRoot => _folder.Combine("scratch");

    public string Scratch(string name)
    {
        var path = _folder.Combine("scratch", name + "-" + Guid.NewGuid().ToString("N")[..6]);
        return path;
    }

    public async Task InitializeAsync()
    {
        Clock = CreateClock();
        await BeforeStartAsync();
        Directory.CreateDirectory(LocalRoot);
        Directory.CreateDirectory(SitesRoot);
        LocalKeyFileKek.Create(KeyFile);
        var options = new LocalHostOptions { Url = "http://127.0.0.1:0", EnableTimers = false };
        options.Settings["Catalog:ConnectionString"] = TestEnvironment.AzuriteConnectionString;
        options.Settings["Catalog:TablePrefix"] = TablePrefix;
        options.Settings["Storage:BlobConnection"] = TestEnvironment.AzuriteConnectionString;
        options.Settings["Storage:LocalRoot"] = LocalRoot;
        // A destination that is down should fail a test's copy in seconds, not in the minute production allows it.
        options.Settings["Storage:Retries"] = "1";
        options.Settings["Storage:RetryDelaySeconds"] = "0.2";
        options.Settings["Keys:LocalKeyFile"] = KeyFile;
        options.Settings["Secrets:SealingKey"] = SealingKey;
        options.Settings["Postgres:BinDirectory"] = TestEnvironment.PostgresBinDirectory;
        // The test server's throwaway CA: configs connect with the default sslMode verify-full.
        options.Settings["Postgres:SslRootCertFile"] = TestEnvironment.PostgresRootCert;
        // Every test server (PostgreSQL, sshd, vsftpd, Ceph RGW, webhook receivers) listens on loopback.
        options.Settings["Network:AllowedRanges"] = "127.0.0.0/8";
        // Configs may back up site folders only under the throwaway scratch folder.
        options.Settings["Files:AllowedRoots"] = SitesRoot;
        ConfigureSettings(options.Settings);
        options.ConfigureServices = services =>
        {
            services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(Logs);
            services.PostConfigureAll<Microsoft.DurableTask.Worker.DurableTaskWorkerOptions>(o => o.DataConverter = History);
            services.PostConfigureAll<Microsoft.DurableTask.Client.DurableTaskClientOptions>(o => o.DataConverter = History);
            if (Clock is { } clock)
                services.AddSingleton<TimeProvider>(clock);
            ConfigureServices(services);
        };
        Host = await LocalFunctionsHost.StartAsync(options);
        Http = new HttpClient { BaseAddress = Host.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
    }

    public virtual async Task DisposeAsync()
    {
        // Null when the host failed to start: disposing must not throw over that start error.
        Http?.Dispose();
        if (Host is not null)
            await Host.DisposeAsync();
        _folder.Dispose();
    }

    /// <summary>POSTs a storage location and returns its id (asserting 201).</summary>
    public async Task<string> CreateStorageAsync(object location)
    {
        using var response = await Http.PostAsJsonAsync("api/backup-storage", location);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, body);
        return System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>POSTs a config and returns its id (asserting 201).</summary>
    public async Task<string> CreateConfigAsync(object config)
    {
        using var response = await Http.PostAsJsonAsync("api/backup-configs", config);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, body);
        return System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
    }
}
