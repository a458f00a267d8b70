namespace BackupCli.Tests;

/// <summary>backupctl runs when the cloud app is gone: it depends on the engine, never on the Functions app or host.</summary>
public sealed class DependencyDirectionTests
{
    [Fact]
    public void Backupctl_references_the_engine_and_no_Functions_assembly()
    {
        var references = typeof(BackupCtl).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.Contains("BackupFunctions.Core", references);
        Assert.DoesNotContain("BackupFunctions", references);
        Assert.DoesNotContain(references, name => name.StartsWith("Microsoft.Azure.Functions", StringComparison.Ordinal));
        Assert.DoesNotContain(references, name => name.StartsWith("Microsoft.DurableTask", StringComparison.Ordinal));
    }
}
