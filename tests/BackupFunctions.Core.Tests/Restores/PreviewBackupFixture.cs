using System.Security.Cryptography;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Sources;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Restores;

/// <summary>A real encrypted backup (files and, when given, the database) written by the engine's writers, for previews of it.</summary>
internal sealed class PreviewBackupFixture : IDisposable
{
    public const string Prefix = "site/";
    public const string BackupId = "b1";

    private readonly TempFolder _keys = new();

    public PreviewBackupFixture()
    {
        var keyFile = _keys.Combine("kek.key");
        LocalKeyFileKek.Create(keyFile);
        Kek = new LocalKeyFileKek(keyFile);
    }

    public MemoryBackupStore Store { get; } = new();

    public LocalKeyFileKek Kek { get; }

    public static DateTimeOffset CreatedAt { get; } = new(2026, 12, 1, 3, 0, 0, TimeSpan.Zero);

    public static PostgresToolsOptions Tools => new() { BinDirectory = TestEnvironment.PostgresBinDirectory };

    /// <param name="dumpVersion">Replaces the server version the manifest records for the dump (a dump "from" another server).</param>
    public async Task WriteAsync(string? siteRoot, IReadOnlyList<string> components, PostgresConnectionInfo? database, string? dumpVersion = null)
    {
        var folder = ObjectNames.BackupFolder(Prefix, BackupId);
        var key = RandomNumberGenerator.GetBytes(32);
        var settings = new PartSettings();
        FilesPartResult? files = null;
        if (siteRoot is not null)
        {
            files = await BackupWriter.WriteFilesAsync(Store, folder, BackupId, settings, key,
                new FilesSource { Root = siteRoot, Components = components }, null, default);
        }
        DatabasePartResult? dump = null;
        if (database is not null)
        {
            dump = await new BackupWriter(new PostgresDumper(Tools)).WriteDatabaseAsync(Store, folder, BackupId, settings, key, database, default);
            if (dumpVersion is not null)
                dump = dump with { Source = dump.Source with { ServerVersion = dumpVersion } };
        }
        var envelope = await Kek.WrapAsync(key, default);
        var draft = new ManifestDraft(BackupId, "cfg", CreatedAt, CreatedAt.AddMinutes(1), settings, envelope, dump, files);
        await BackupWriter.WriteManifestAsync(Store, folder, draft, key, default);
    }

    public void Dispose() => _keys.Dispose();
}
