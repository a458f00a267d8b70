using Microsoft.DurableTask;

namespace BackupFunctions.LocalHost.Durable;

/// <summary>Registers the app's orchestrator and activity functions with a Durable Task worker (the local host's or a test's).</summary>
public static class DurableFunctionRegistration
{
    public static DurableTaskRegistry AddFunctions(this DurableTaskRegistry registry, IEnumerable<FunctionDescriptor> functions)
        => registry.AddFunctions(functions, TimeSpan.Zero);

    /// <param name="testOnlyVolumeDelay">TEST ONLY (LocalHost:TestOnlyVolumeDelayMilliseconds): a wait before each ArchiveVolume.</param>
    public static DurableTaskRegistry AddFunctions(this DurableTaskRegistry registry, IEnumerable<FunctionDescriptor> functions,
        TimeSpan testOnlyVolumeDelay)
    {
        foreach (var function in functions)
        {
            switch (function.Kind)
            {
                case FunctionKind.Orchestration:
                    if (!function.Method.IsStatic)
                        throw new NotSupportedException($"Orchestrator '{function.Name}' must be a static method.");
                    registry.AddOrchestrator(function.Name, () => new FunctionOrchestrator(function));
                    break;
                case FunctionKind.Activity:
                    var delay = function.Name == FunctionNames.ArchiveVolume ? testOnlyVolumeDelay : TimeSpan.Zero;
                    registry.AddActivity(function.Name, services => new FunctionActivity(function, services, delay));
                    break;
            }
        }
        return registry;
    }
}
