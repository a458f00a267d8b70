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
}
