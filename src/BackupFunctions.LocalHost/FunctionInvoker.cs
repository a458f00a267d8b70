using System.Reflection;
using Microsoft.Extensions.DependencyInjection;

namespace BackupFunctions.LocalHost;

/// <summary>
/// Calls a function method: a fresh instance of its class per call (constructor injection from DI, as the Functions
/// host does), parameters from a binder, and the returned Task awaited and unwrapped.
/// </summary>
public static class FunctionInvoker
{
    public static async Task<object?> InvokeAsync(
        FunctionDescriptor function,
        IServiceProvider services,
        Func<ParameterInfo, object?> bind)
    {
        var method = function.Method;
        var target = method.IsStatic ? null : ActivatorUtilities.CreateInstance(services, method.DeclaringType!);
        try
        {
            var arguments = method.GetParameters().Select(bind).ToArray();
            object? returned;
            try
            {
                returned = method.Invoke(target, arguments);
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
                throw;
            }

            return await TaskResults.AwaitAsync(returned);
        }
        finally
        {
            switch (target)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync();
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
    }
}
