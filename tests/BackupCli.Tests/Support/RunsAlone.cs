namespace BackupCli.Tests.Support;

/// <summary>
/// Test classes that measure the process's allocations run in this collection: xUnit runs it when no other test runs,
/// so that what is measured is theirs.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "runs alone";
}
