namespace BackupFunctions.Core.Storage;

/// <summary>Conveniences every <see cref="IBackupStore"/> gets from its contract.</summary>
public static class BackupStoreExtensions
{
    /// <summary>Whether the object exists.</summary>
    public static async Task<bool> ExistsAsync(this IBackupStore store, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        return await store.GetInfoAsync(name, cancellationToken) is not null;
    }

    /// <summary>The backend under any wrappers (for capabilities such as <see cref="IServerSideCopy"/>).</summary>
    public static IBackupStore Innermost(this IBackupStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        while (store is Wrappers.IBackupStoreWrapper wrapper)
            store = wrapper.Inner;
        return store;
    }
}
