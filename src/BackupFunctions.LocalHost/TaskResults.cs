namespace BackupFunctions.LocalHost;

/// <summary>What a reflected function call returned: awaits a Task and takes its Result, if it has one.</summary>
internal static class TaskResults
{
    public static async Task<object?> AwaitAsync(object? returned)
    {
        if (returned is not Task task)
            return returned;
        await task;
        var type = task.GetType();
        // Task (no result) is a Task<VoidTaskResult> at run time; its "result" means nothing.
        return type.IsGenericType && type.GetProperty("Result") is { } result && result.PropertyType.Name != "VoidTaskResult"
            ? result.GetValue(task)
            : null;
    }
}
