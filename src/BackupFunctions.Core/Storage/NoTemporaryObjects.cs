using System.Runtime.CompilerServices;

namespace BackupFunctions.Core.Storage;

/// <summary>
/// <see cref="IBackupStore.ListTemporaryAsync"/> and <see cref="IBackupStore.DeleteTemporaryAsync"/> for the stores
/// whose puts leave no temporary object of any name behind (Azure Blob, S3/GCS): the arguments are still checked, as
/// the contract asks of every store.
/// </summary>
internal static class NoTemporaryObjects
{
    public static async IAsyncEnumerable<StoredObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ObjectNameRules.ValidatePrefix(prefix);
        cancellationToken.ThrowIfCancellationRequested();
        await Task.CompletedTask;
        yield break;
    }

    public static Task DeleteAsync(string name, string location)
    {
        ObjectNameRules.Validate(name);
        throw new ArgumentException($"{location} has no temporary objects ('{name}').", nameof(name));
    }
}
