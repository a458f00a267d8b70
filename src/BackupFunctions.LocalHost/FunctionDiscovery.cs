using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace BackupFunctions.LocalHost;

/// <summary>
/// Finds the functions of an app the way the Functions SDK does: public methods with <c>[Function]</c>, classified by
/// the trigger attribute on one of their parameters. A new function therefore needs no registration here.
/// </summary>
public static class FunctionDiscovery
{
    public static IReadOnlyList<FunctionDescriptor> Discover(Assembly assembly)
    {
        var found = new List<FunctionDescriptor>();
        foreach (var type in assembly.GetExportedTypes())
        {
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                if (method.GetCustomAttribute<FunctionAttribute>() is not { } function)
                    continue;
                found.Add(Describe(function.Name, method));
            }
        }

        var duplicate = found.GroupBy(f => f.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new InvalidOperationException($"Two functions are named '{duplicate.Key}'.");
        return found;
    }

    private static FunctionDescriptor Describe(string name, MethodInfo method)
    {
        foreach (var parameter in method.GetParameters())
        {
            foreach (var attribute in parameter.GetCustomAttributes())
            {
                FunctionKind? kind = attribute switch
                {
                    HttpTriggerAttribute => FunctionKind.Http,
                    TimerTriggerAttribute => FunctionKind.Timer,
                    OrchestrationTriggerAttribute => FunctionKind.Orchestration,
                    ActivityTriggerAttribute => FunctionKind.Activity,
                    _ => null,
                };
                if (kind is not null)
                    return new FunctionDescriptor(name, kind.Value, method, attribute, parameter);
            }
        }
        throw new NotSupportedException($"Function '{name}' ({method.DeclaringType?.Name}.{method.Name}) has a trigger the local host does not run.");
    }
}
