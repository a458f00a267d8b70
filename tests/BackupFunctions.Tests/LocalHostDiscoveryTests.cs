using System.Text.Json;
using BackupFunctions.LocalHost;

namespace BackupFunctions.Tests;

/// <summary>
/// The local host must run exactly the functions the Functions host would: the same names, the same triggers, the
/// same HTTP routes and timer schedules as the functions.metadata that the Functions SDK generates at build time.
/// </summary>
public sealed class LocalHostDiscoveryTests
{
    [Fact]
    public void The_local_host_finds_every_function_the_Functions_SDK_declares_with_the_same_trigger()
    {
        var metadataPath = Path.Combine(AppContext.BaseDirectory, "functions.metadata");
        Assert.True(File.Exists(metadataPath), "functions.metadata is produced by the Functions SDK build of the app");
        using var metadata = JsonDocument.Parse(File.ReadAllText(metadataPath));
        var declared = metadata.RootElement.EnumerateArray().ToDictionary(
            f => f.GetProperty("name").GetString()!,
            f => f.GetProperty("bindings").EnumerateArray().First(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal)));

        var discovered = FunctionDiscovery.Discover(typeof(FunctionNames).Assembly);

        Assert.Equal(declared.Keys.Order(StringComparer.Ordinal), discovered.Select(f => f.Name).Order(StringComparer.Ordinal));
        foreach (var function in discovered)
        {
            var trigger = declared[function.Name];
            var expectedType = function.Kind switch
            {
                FunctionKind.Http => "httpTrigger",
                FunctionKind.Timer => "timerTrigger",
                FunctionKind.Orchestration => "orchestrationTrigger",
                _ => "activityTrigger",
            };
            Assert.Equal(expectedType, trigger.GetProperty("type").GetString());
            if (function.Trigger is Microsoft.Azure.Functions.Worker.HttpTriggerAttribute http)
                Assert.Equal(trigger.GetProperty("route").GetString(), http.Route);
            if (function.Trigger is Microsoft.Azure.Functions.Worker.TimerTriggerAttribute timer)
                Assert.Equal(trigger.GetProperty("schedule").GetString(), timer.Schedule);
        }
    }
}
