using System.Net.Sockets;
using System.Security.Cryptography;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Network;
using BackupFunctions.Core.Sources;
using BackupFunctions.Core.Storage;
using Microsoft.Extensions.Options;
using Npgsql;

namespace BackupFunctions.Core.Configs;

/// <summary>
/// Checks everything a run of a config needs, without writing a backup (<c>POST /api/backup-configs/{id}/test</c>):
/// the database reachable with the config's role, pg_dump at least as new as the server, the site root and each
/// component readable, each destination's probe (as <c>POST /api/backup-storage/{id}/test</c>), and the key (a wrap,
/// and an unwrap where this identity may). Each check is timed and says, on failure, what kind of failure it is and
/// what a CMS admin can do about it; none stops the others.
/// </summary>
public sealed class BackupConfigTester(
    DatabaseConnections databases,
    IOptions<PostgresToolsOptions> tools,
    SiteRoots siteRoots,
    StorageLocations stores,
    StorageProbe probe,
    TimeProvider time,
    IKeyEncryptionKey? keyEncryptionKey = null,
    Sources.Sites.SiteSources? siteSources = null)
{
    public async Task<ConfigTestReport> TestAsync(StoredBackupConfig stored, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var config = stored.Config.WithPartsOfType();
        var checks = new List<ConfigCheck>();

        if (config.Database is { } database)
        {
            int? serverMajor = null;
            checks.Add(await CheckAsync("database", async () =>
            {
                string serverVersion;
                (serverVersion, serverMajor) = await ServerVersionAsync(database, cancellationToken);
                var tool = await PostgresToolVersions.ProbeAsync(tools.Value, "pg_dump", cancellationToken);
                var dumper = tool.Found ? $"pg_dump {tool.Version} at {tool.Path}" : "pg_dump not found (see pgDump)";
                return $"Connected to database '{database.Database}' on {database.Host}:{database.Port} as '{database.Username}' (PostgreSQL {serverVersion}; {dumper}).";
            }));
            checks.Add(await CheckAsync("pgDump", () => PgDumpAsync(serverMajor, cancellationToken)));
        }

        if (config.Files is { } remote && !remote.IsLocal())
        {
            for (var i = 0; i < remote.Components.Count; i++)
            {
                var component = remote.Components[i];
                checks.Add(await CheckAsync($"files.components[{i}]", () => Task.FromResult(CheckRemoteComponent(remote, component))));
            }
        }
        else if (config.Files is { } files)
        {
            string? realRoot = null;
            checks.Add(await CheckAsync("files.root", () =>
            {
                if (siteRoots.Check(files.Root, out var real) is { } problem)
                    throw new ConfigCheckException(Directory.Exists(files.Root) ? "refused" : "missing", problem);
                ReadFolder(real, $"the site root '{files.Root}'");
                realRoot = real;
                return Task.FromResult($"The site root '{files.Root}' is readable.");
            }));
            for (var i = 0; i < files.Components.Count; i++)
            {
                var component = files.Components[i];
                checks.Add(await CheckAsync($"files.components[{i}]", () =>
                {
                    if (realRoot is null)
                        throw new ConfigCheckException("missing", $"Not checked: the site root '{files.Root}' is not readable (see files.root).");
                    var folder = Path.Combine(realRoot, component);
                    if (!Directory.Exists(folder))
                        throw new ConfigCheckException("missing", $"The component folder '{component}' does not exist under '{files.Root}': create it, or remove it from files.components.");
                    ReadFolder(folder, $"the component folder '{component}'");
                    return Task.FromResult($"The component folder '{component}' is readable.");
                }));
            }
        }

        var destinations = config.Replicas.Prepend(config.Storage).ToList();
        for (var i = 0; i < destinations.Count; i++)
            checks.Add(await ProbeAsync($"storage[{i}]", destinations[i], cancellationToken));

        if (!Encryption.EncryptionAlgorithms.IsNone(config.Encryption.Algorithm))
            checks.Add(await CheckAsync("key", () => KeyAsync(config.Encryption, cancellationToken)));

        return new ConfigTestReport(stored.Id, checks.TrueForAll(c => c.Ok), time.GetUtcNow(), checks);
    }

    /// <summary>
    /// A component of a site that is not (only) a local folder: its source opened as a backup opens it (host judged,
    /// host key pinned, secret read from its setting) and the component's first folder listed, nothing more.
    /// </summary>
    private string CheckRemoteComponent(FilesSource files, string component)
    {
        if (siteSources is null)
            throw new ConfigCheckException("refused", "Site sources are not available in this host.");
        var where = files.SourceOf(component);
        var source = siteSources.Open(files with { Components = [component] });
        try
        {
            if (source.Walk(_ => { }).FirstOrDefault() is not { } first)
                throw new ConfigCheckException("missing", $"The component '{component}' does not exist in its {where.Type} source: create it, or remove it from files.components.");
            return $"The component '{component}' is readable in its {where.Type} source ({first.Type}).";
        }
        finally
        {
            (source as IDisposable)?.Dispose();
        }
    }

    private async Task<ConfigCheck> CheckAsync(string name, Func<Task<string>> check)
    {
        var started = time.GetTimestamp();
        try
        {
            var message = await check();
            return new ConfigCheck(name, true, Elapsed(started), null, message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var (kind, message) = Describe(e);
            return new ConfigCheck(name, false, Elapsed(started), kind, message);
        }
    }

    private double Elapsed(long started) => Math.Round(time.GetElapsedTime(started).TotalMilliseconds, 1);

    private async Task<(string Version, int Major)> ServerVersionAsync(DatabaseSource database, CancellationToken cancellationToken)
    {
        var connection = await databases.ConnectToAsync(database, cancellationToken);
        await using var open = await PostgresConnections.OpenAsync(connection, null, cancellationToken);
        await using var command = new NpgsqlCommand("SELECT current_setting('server_version'), current_setting('server_version_num')::int", open);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetString(0).Split(' ', 2)[0], reader.GetInt32(1) / 10000);
    }

    private async Task<string> PgDumpAsync(int? serverMajor, CancellationToken cancellationToken)
    {
        var tool = await PostgresToolVersions.ProbeAsync(tools.Value, "pg_dump", cancellationToken);
        if (tool.Major is not { } major)
            throw new ConfigCheckException("config", tool.Error!);
        if (serverMajor is not { } server)
            throw new ConfigCheckException("unreachable", $"pg_dump {tool.Version} at {tool.Path}; not compared with the server, which could not be reached (see database).");
        if (major < server)
        {
            throw new ConfigCheckException("version",
                $"pg_dump {tool.Version} at {tool.Path} cannot dump the database server, which runs PostgreSQL {server}: pg_dump must be of the server's major or newer. "
                + $"Install the PostgreSQL {server} client tools on the backup service ({PostgresToolVersions.BinDirectorySetting}; see docs/deployment.md).");
        }
        return $"pg_dump {tool.Version} at {tool.Path} can dump PostgreSQL {server}.";
    }

    private static void ReadFolder(string folder, string what)
    {
        try
        {
            using var entries = Directory.EnumerateFileSystemEntries(folder).GetEnumerator();
            entries.MoveNext();
        }
        catch (UnauthorizedAccessException)
        {
            throw new ConfigCheckException("permission", $"The backup service may not read {what}: give its user read access.");
        }
        catch (DirectoryNotFoundException)
        {
            throw new ConfigCheckException("missing", $"{char.ToUpperInvariant(what[0])}{what[1..]} does not exist.");
        }
    }

    private async Task<ConfigCheck> ProbeAsync(string name, StorageDestination destination, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        StorageProbeResult result;
        try
        {
            result = destination.StorageId is { } id
                ? await stores.TestAsync(id, cancellationToken)
                    ?? throw new ConfigCheckException("missing", $"The storage location '{id}' does not exist: create it (POST /api/backup-storage) or change the config's storage.")
                : await probe.RunAsync(ct => stores.OpenAsync(destination, ct), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var (kind, message) = Describe(e);
            return new ConfigCheck(name, false, Elapsed(started), kind, message);
        }
        var where = destination.StorageId ?? (destination.Type == "local" ? $"local folder '{destination.Path}'" : $"{destination.Type} '{destination.Container}'");
        if (result.FailedStep is { } failed)
        {
            return new ConfigCheck(name, false, Elapsed(started), "storage:" + (failed.Kind?.ToString() ?? "unknown").ToLowerInvariant(),
                $"The {failed.Step} step of the probe of {where} failed: {failed.Error}. Check the destination's settings and that the service can reach it.");
        }
        return new ConfigCheck(name, true, Elapsed(started), null, $"{where}: a probe object was written, read back, listed and deleted.");
    }

    private async Task<string> KeyAsync(EncryptionOptions encryption, CancellationToken cancellationToken)
    {
        if (keyEncryptionKey is null)
            throw new ConfigCheckException("key", "This service has no key-encryption key: set one of Keys__LocalKeyFile, Keys__PassphraseSetting or Keys__KeyVaultKeyUrl.");
        var dataKey = RandomNumberGenerator.GetBytes(DataKeys.Size);
        try
        {
            KeyEnvelope envelope;
            try
            {
                envelope = keyEncryptionKey is PassphraseKek passphrase && encryption.KeyDerivation is { } kdf
                    ? await passphrase.WrapAsync(dataKey, KeyDerivations.KekName(kdf), cancellationToken)
                    : await keyEncryptionKey.WrapAsync(dataKey, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw new ConfigCheckException("key", $"The {keyEncryptionKey.KekType} key could not wrap a data key: {e.Message}. Backups cannot be written until it can.");
            }
            byte[] unwrapped;
            try
            {
                unwrapped = await keyEncryptionKey.UnwrapAsync(envelope, cancellationToken);
            }
            catch (KeyVaultException e) when (e.Status is 401 or 403)
            {
                return $"The {keyEncryptionKey.KekType} key wraps data keys; this identity may not unwrap (wrap-only, as recommended), so restores need an identity that may.";
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw new ConfigCheckException("key", $"A data key wrapped by the {keyEncryptionKey.KekType} key did not unwrap: {e.Message}.");
            }
            var same = CryptographicOperations.FixedTimeEquals(unwrapped, dataKey);
            CryptographicOperations.ZeroMemory(unwrapped);
            return same
                ? $"The {keyEncryptionKey.KekType} key wraps and unwraps data keys."
                : throw new ConfigCheckException("key", $"A data key wrapped by the {keyEncryptionKey.KekType} key unwrapped to other bytes.");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <summary>The kind and an actionable message of a failed check; never a secret (Npgsql's messages hold none).</summary>
    private static (string Kind, string Message) Describe(Exception e)
    {
        const string Reach = " Check database.host and database.port, that the server accepts connections from the backup service, and database.sslMode.";
        // PostgresConnections words a failed connect itself (naming the server, explaining TLS problems); the cause says which kind.
        var cause = e is PostgresToolException { InnerException: { } inner } ? inner : e;
        return (e, cause) switch
        {
            (ConfigCheckException failure, _) => (failure.Kind, failure.Message),
            (NetworkRefusedException, _) => ("refused", $"{e.Message} The operator allows an address range with Network__AllowedRanges."),
            (_, PostgresException { SqlState: "28P01" or "28000" }) =>
                ("auth", $"{e.Message} Check database.username, and the password in the app setting database.passwordSetting names."),
            (_, PostgresException { SqlState: "3D000" }) => ("missing", $"{e.Message} Check database.database."),
            (_, PostgresException { SqlState: "42501" }) => ("permission", $"{e.Message} Grant the role the rights it needs (CONNECT, and SELECT on the CMS's tables)."),
            (_, NpgsqlException or TimeoutException or SocketException) or (PostgresToolException, _) => ("unreachable", e.Message + Reach),
            (InvalidOperationException, _) => ("config", e.Message),
            _ => ("error", e.Message),
        };
    }
}
