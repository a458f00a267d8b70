using System.Security.Cryptography;
using System.Text;
using BackupFunctions.Core.Configs;

namespace BackupFunctions.Core.Health;

/// <summary>
/// A destination as health and alerts name it. <see cref="Key"/> is the storage location's id, or for an inline
/// destination <c>inline-</c> + a hash of its type, container and path (a path has slashes, which row keys cannot).
/// The prefix is not part of it: configs with different prefixes in one container share its space and its limit.
/// </summary>
public sealed record DestinationRef(string Key, string Name, StorageDestination Destination)
{
    public static DestinationRef Of(StorageDestination destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (destination.StorageId is { } id)
            return new DestinationRef(id, id, destination);
        var place = destination.Container ?? destination.Path ?? "";
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{destination.Type}\n{destination.Container}\n{destination.Path}"));
        return new DestinationRef("inline-" + Convert.ToHexStringLower(hash.AsSpan(0, 8)), $"{destination.Type}:{place}", destination);
    }

    /// <summary>The primary destination and the replicas of a config, each once.</summary>
    public static IReadOnlyList<DestinationRef> OfConfig(BackupConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return [.. config.Replicas.Prepend(config.Storage).Select(Of).DistinctBy(d => d.Key)];
    }
}
