namespace BackupFunctions.Core.Health;

/// <summary>One destination of a config as the health endpoint shows it; the numbers are null until it has been measured.</summary>
public sealed record DestinationHealth
{
    /// <summary>The destination's key (<see cref="DestinationRef.Key"/>).</summary>
    public required string Destination { get; init; }

    public required string Name { get; init; }

    /// <summary><c>primary</c> or <c>replica</c>.</summary>
    public required string Role { get; init; }

    /// <summary>Every object's bytes, temporary objects included (see <see cref="StorageUsage.UsedBytes"/>).</summary>
    public long? UsedBytes { get; init; }

    /// <summary>Of <see cref="UsedBytes"/>, the bytes of temporary objects (uploads in progress and leftovers of interrupted ones).</summary>
    public long? TemporaryBytes { get; init; }

    /// <summary>How many temporary objects those are.</summary>
    public int? TemporaryObjects { get; init; }
    public long? TotalBytes { get; init; }
    public double? Percentage { get; init; }
    public DateTimeOffset? MeasuredAt { get; init; }
}
