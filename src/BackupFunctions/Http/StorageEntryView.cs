using BackupFunctions.Core.Configs;

namespace BackupFunctions.Http;

/// <summary>
/// One destination of a config as the API shows it (the seed's BackupStorage entry): a storage location by
/// <c>storageId</c>, or inline (<c>type</c> azureBlob with <c>container</c>, or local with <c>path</c>).
/// </summary>
public sealed record StorageEntryView(
    bool Primary,
    string? StorageId,
    string? Type,
    string? Container,
    string? Path,
    string Prefix,
    long? MaxSizeBytes)
{
    public static StorageEntryView From(StorageDestination destination, bool primary)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return new StorageEntryView(primary, destination.StorageId, destination.Type.Length == 0 ? null : destination.Type,
            destination.Container, destination.Path, destination.Prefix, destination.MaxSizeBytes);
    }
}
