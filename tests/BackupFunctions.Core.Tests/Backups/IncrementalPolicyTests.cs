using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Tests.Backups;

/// <summary>Full or incremental, and on which base: the policy as a table.</summary>
public sealed class IncrementalPolicyTests
{
    private static readonly DateTimeOffset Day = new(2026, 12, 1, 2, 0, 0, TimeSpan.Zero);

    public static TheoryData<string, BaseCandidate[], string?, string> Bases => new()
    {
        { "no earlier backup", [], null, "no earlier backup of this config holds files" },
        { "only a database backup", [new("db1", Day, HoldsFiles: false)], null, "no earlier backup of this config holds files" },
        { "the newest with files", [new("b1", Day, true), new("b2", Day.AddDays(1), true), new("db", Day.AddDays(2), false)], "b2", "incremental on b2" },
        { "newest failed verification: full, not an older one", [new("b1", Day, true), new("b2", Day.AddDays(1), true, "failed verification")], null, "the newest backup b2 failed verification" },
        { "newest being deleted", [new("b1", Day, true), new("b2", Day.AddDays(1), true, "is being deleted")], null, "the newest backup b2 is being deleted" },
        { "same time: the id decides", [new("a", Day, true), new("b", Day, true)], "b", "incremental on b" },
    };

    [Theory]
    [MemberData(nameof(Bases))]
    public void The_base_is_the_newest_backup_with_files_when_it_is_usable(string why, BaseCandidate[] earlier, string? expectedBase, string expectedReason)
    {
        var decision = IncrementalPolicy.ChooseBase(earlier);

        Assert.True(expectedBase == decision.BaseBackupId, why);
        Assert.Contains(expectedReason, decision.Reason, StringComparison.Ordinal);
        Assert.Equal(expectedBase is not null, decision.IsIncremental);
    }

    public static TheoryData<string[], int, bool> Chains => new()
    {
        // types of the base, its base, …   fullEvery   incremental?
        { [BackupTypes.Full], 7, true },
        { [BackupTypes.Files], 1, true },
        { [BackupTypes.Incremental, BackupTypes.Full], 1, false },
        { [BackupTypes.Incremental, BackupTypes.Incremental, BackupTypes.Full], 3, true },
        { [BackupTypes.Incremental, BackupTypes.Incremental, BackupTypes.Incremental, BackupTypes.Full], 3, false },
        { [.. Enumerable.Repeat(BackupTypes.Incremental, 6), BackupTypes.Full], 7, true },
        { [.. Enumerable.Repeat(BackupTypes.Incremental, 7)], 7, false },
        // A chain whose start is unknown (a manifest could not be read) counts what is known.
        { [BackupTypes.Incremental, BackupTypes.Incremental], 7, true },
    };

    [Theory]
    [MemberData(nameof(Chains))]
    public void After_full_every_incrementals_in_a_row_the_next_backup_is_full(string[] chainTypes, int fullEvery, bool incremental)
    {
        var decision = IncrementalPolicy.CheckChain(new IncrementalDecision("base", "incremental on base"), chainTypes, fullEvery);

        Assert.Equal(incremental, decision.IsIncremental);
        if (!incremental)
            Assert.Contains($"incremental backups since the last full one (fullEvery {fullEvery})", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_full_decision_stays_full_whatever_the_chain()
    {
        var full = new IncrementalDecision(null, "full: no earlier backup of this config holds files");

        Assert.Same(full, IncrementalPolicy.CheckChain(full, [BackupTypes.Full], 7));
    }
}
