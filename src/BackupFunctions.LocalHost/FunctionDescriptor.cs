using System.Reflection;

namespace BackupFunctions.LocalHost;

/// <summary>One <c>[Function]</c> method found in the app, with its trigger attribute.</summary>
public sealed record FunctionDescriptor(string Name, FunctionKind Kind, MethodInfo Method, Attribute Trigger, ParameterInfo TriggerParameter)
{
    /// <summary>T of a method returning Task&lt;T&gt;; object for Task or anything else.</summary>
    public Type ResultType => Method.ReturnType is { IsGenericType: true } t && t.GetGenericTypeDefinition() == typeof(Task<>)
        ? t.GetGenericArguments()[0]
        : typeof(object);
}
