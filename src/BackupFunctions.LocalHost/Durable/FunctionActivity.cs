using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace BackupFunctions.LocalHost.Durable;

/// <summary>Runs an <c>[ActivityTrigger]</c> function method as a Durable Task activity.</summary>
internal sealed class FunctionActivity(FunctionDescriptor function, IServiceProvider services, TimeSpan testOnlyDelay) : ITaskActivity
{
    public Type InputType => function.TriggerParameter.ParameterType;

    public Type OutputType => function.ResultType;

    public async Task<object?> RunAsync(TaskActivityContext context, object? input)
    {
        if (testOnlyDelay > TimeSpan.Zero)
            await Task.Delay(testOnlyDelay);
        return await FunctionInvoker.InvokeAsync(function, services, p =>
            p.Position == function.TriggerParameter.Position ? input
            : p.ParameterType == typeof(CancellationToken) ? CancellationToken.None
            : p.ParameterType == typeof(DurableTaskClient) ? services.GetRequiredService<DurableTaskClient>()
            : services.GetRequiredService(p.ParameterType));
    }
}
