using Microsoft.DurableTask;

namespace BackupFunctions.LocalHost.Durable;

/// <summary>
/// Runs an <c>[OrchestrationTrigger]</c> function method as a Durable Task orchestrator. The input is handed over
/// undecoded and decoded on <c>GetInput&lt;T&gt;()</c>, as the Functions host does: the method does not declare its
/// input type, so the worker cannot decode it up front.
/// </summary>
internal sealed class FunctionOrchestrator(FunctionDescriptor function) : ITaskOrchestrator
{
    public Type InputType => typeof(object);

    public Type OutputType => function.ResultType;

    public Task<object?> RunAsync(TaskOrchestrationContext context, object? input)
    {
        var wrapped = new LazyInputOrchestrationContext(context, input);
        // Orchestrator code must run on the orchestration's own thread and never touch DI, so call it directly.
        var returned = function.Method.Invoke(null, [wrapped]);
        return TaskResults.AwaitAsync(returned);
    }
}
