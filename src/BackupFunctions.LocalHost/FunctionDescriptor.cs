using System.Reflection;

namespace BackupFunctions.LocalHost;

/// <summary>One <c>[Function]</c> method found in the app, with its trigger attribute.</summary>
public sealed record FunctionDescriptor(string Name, FunctionKind Kind, MethodInfo Method, Attribute Trigger, ParameterInfo TriggerParameter);
