using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Tests.Configs;

/// <summary>A config's type (the seed's words) and its incremental settings: what is valid, and which parts a run backs up.</summary>
public sealed class BackupTypeConfigTests
{
    private static readonly BackupConfig Both = new()
    {
        Name = "site1",
        Database = new DatabaseSource { Host = "127.0.0.1", Database = "cms", Username = "backup" },
        Files = new FilesSource { Root = "/srv/site1" },
        Schedule = new BackupSchedule { Frequency = "manual" },
        Storage = new StorageDestination { Type = "local", Path = "site1" },
    };

    public static TheoryData<string, BackupConfig, string?, string?> Configs => new()
    {
        { "no type: full", Both, null, null },
        { "every known type with both parts", Both with { Type = BackupTypes.Incremental }, null, null },
        { "database only", Both with { Type = BackupTypes.Database, Files = null }, null, null },
        { "unknown type", Both with { Type = "differential" }, "type", "'full', 'incremental', 'database', 'files'" },
        { "case matters", Both with { Type = "Full" }, "type", "must be one of" },
        { "database without one", Both with { Type = BackupTypes.Database, Database = null }, "type", "needs a database" },
        { "files without them", Both with { Type = BackupTypes.Files, Files = null }, "type", "needs site files" },
        { "incremental without files", Both with { Type = BackupTypes.Incremental, Files = null }, "type", "'incremental' needs site files" },
        { "fullEvery 0", Both with { Type = BackupTypes.Incremental, Incremental = new() { FullEvery = 0 } }, "incremental.fullEvery", "between 1 and 100" },
        { "fullEvery 101", Both with { Incremental = new() { FullEvery = 101 } }, "incremental.fullEvery", "between 1 and 100" },
        { "fullEvery 100", Both with { Incremental = new() { FullEvery = 100 } }, null, null },
        { "compare hash", Both with { Incremental = new() { Compare = "hash" } }, null, null },
        { "compare mtime", Both with { Incremental = new() { Compare = "mtime" } }, "incremental.compare", "'metadata' or 'hash'" },
    };

    [Theory]
    [MemberData(nameof(Configs))]
    public void Types_and_incremental_settings_are_checked_naming_the_field(string why, BackupConfig config, string? field, string? message)
    {
        var problems = BackupConfigValidator.Validate(config);

        if (field is null)
        {
            Assert.True(problems.Count == 0, $"{why}: {string.Join("; ", problems.SelectMany(p => p.Value))}");
            return;
        }
        Assert.True(problems.ContainsKey(field), why);
        Assert.Contains(problems[field], m => m.Contains(message!, StringComparison.Ordinal));
    }

    [Fact]
    public void A_run_backs_up_only_the_parts_of_its_type()
    {
        Assert.Same(Both, Both.WithPartsOfType());
        Assert.Null((Both with { Type = BackupTypes.Database }).WithPartsOfType().Files);
        Assert.NotNull((Both with { Type = BackupTypes.Database }).WithPartsOfType().Database);
        Assert.Null((Both with { Type = BackupTypes.Files }).WithPartsOfType().Database);
        var incremental = (Both with { Type = BackupTypes.Incremental }).WithPartsOfType();
        Assert.NotNull(incremental.Database); // dumped in full every time
        Assert.NotNull(incremental.Files);
    }
}
