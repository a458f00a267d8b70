namespace BackupFunctions.Core.Configs;

/// <summary>
/// One destination as a request may write it: the seed's BackupStorage entry (<c>primary</c>, a storage location by
/// <c>storageId</c> or <c>id</c>) or an inline destination with <see cref="StorageDestination"/>'s fields.
/// </summary>
public sealed record StorageEntryInput
{
    /// <summary>True marks the primary destination of a <c>storage</c> list; the others are replicas.</summary>
    public bool? Primary { get; init; }

    public string? StorageId { get; init; }

    /// <summary>The seed's name for <see cref="StorageId"/>.</summary>
    public string? Id { get; init; }

    public string? Type { get; init; }
    public string? Container { get; init; }
    public string? Path { get; init; }
    public string? Prefix { get; init; }
    public long? MaxSizeBytes { get; init; }
}
