using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BackupFunctions.Core.Sources;

/// <summary>
/// The pg_dump and pg_restore this service runs, as found at start-up: logged once (a missing tool is a warning naming
/// <see cref="PostgresToolVersions.BinDirectorySetting"/>) and shown in <c>GET /api/backup-health</c>.
/// </summary>
public sealed class PostgresToolsStatus(IOptions<PostgresToolsOptions> options, ILogger<PostgresToolsStatus> logger)
{
    public static readonly IReadOnlyList<string> Tools = ["pg_dump", "pg_restore"];

    private readonly Lazy<Task<IReadOnlyList<PostgresToolVersion>>> _found = new(() => ProbeAsync(options.Value, logger));

    /// <summary>The tools as found by the first call (later calls return the same answer; a restart probes again).</summary>
    public Task<IReadOnlyList<PostgresToolVersion>> GetAsync() => _found.Value;

    private static async Task<IReadOnlyList<PostgresToolVersion>> ProbeAsync(PostgresToolsOptions options, ILogger logger)
    {
        var found = new List<PostgresToolVersion>(Tools.Count);
        foreach (var tool in Tools)
        {
            var version = await PostgresToolVersions.ProbeAsync(options, tool, CancellationToken.None);
            if (version.Found)
                logger.LogInformation("PostgreSQL client tool {Tool} {ToolVersion} found at {ToolPath}", version.Tool, version.Version, version.Path);
            else
                logger.LogWarning("PostgreSQL client tool {Tool} is not usable: {ToolError} Database backups and restores will fail until it is.", version.Tool, version.Error);
            found.Add(version);
        }
        return found;
    }
}
