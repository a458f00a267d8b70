using BackupFunctions.Core.Backups;

namespace BackupFunctions.Core.Tests.Architecture;

/// <summary>
/// The engine must run without the Functions host (docs/design.md, 'Projects and dependency direction'): the app
/// depends on it, never the reverse.
/// </summary>
public sealed class DependencyDirectionTests
{
    [Fact]
    public void The_engine_references_no_Functions_or_Durable_Task_assembly()
    {
        var references = typeof(BackupRunner).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();

        Assert.DoesNotContain(references, name => name.StartsWith("Microsoft.Azure.Functions", StringComparison.Ordinal));
        Assert.DoesNotContain(references, name => name.StartsWith("Microsoft.DurableTask", StringComparison.Ordinal));
        Assert.DoesNotContain(references, name => name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        Assert.DoesNotContain(references, name => name == "BackupFunctions");
    }
}
