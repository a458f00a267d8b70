using Microsoft.Extensions.DependencyInjection;

namespace BackupFunctions.LocalHost;

/// <summary>How to start the local host.</summary>
public sealed class LocalHostOptions
{
    /// <summary>Where HTTP triggers are served; func start's default is http://127.0.0.1:7071 too. Port 0 picks a free one.</summary>
    public string Url { get; set; } = "http://127.0.0.1:7071";

    /// <summary>A local.settings.json whose Values become settings (environment variables still win).</summary>
    public string? SettingsFile { get; set; }

    /// <summary>Settings that win over everything else (tests).</summary>
    public IDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>();

    /// <summary>Run timer triggers on their schedules.</summary>
    public bool EnableTimers { get; set; } = true;

    /// <summary>Last word on DI, after the app's own registrations (tests swap the clock here).</summary>
    public Action<IServiceCollection>? ConfigureServices { get; set; }
}
