using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using BackupFunctions.Core.Archive;

namespace BackupFunctions.Core.Backups;

/// <summary>
/// The stored plan (<see cref="ObjectNames.Plan"/>): JSON lines, one planned entry each, in walk order, inside a part
/// encrypted like every other (it names the site's files). A working object of a running backup, not part of the format.
/// </summary>
public static class VolumePlanFile
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault,
    };

    private static readonly byte[] NewLine = "\n"u8.ToArray();

    public static async Task WriteAsync(IEnumerable<PlannedEntry> entries, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(output);
        foreach (var planned in entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var e = planned.Entry;
            var line = new Line(planned.Volume, e.Path, e.Type, e.Size, e.ModifiedAt, e.Mode, e.LinkTarget, e.Identity, e.Replaced);
            await output.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(line, Json), cancellationToken);
            await output.WriteAsync(NewLine, cancellationToken);
        }
        await output.FlushAsync(cancellationToken);
    }

    /// <summary>The entries of volume <paramref name="volume"/>, in walk order, one line at a time.</summary>
    public static async IAsyncEnumerable<SiteEntry> ReadVolumeAsync(Stream input, int volume, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var reader = new StreamReader(input, new UTF8Encoding(false, throwOnInvalidBytes: true), false, 64 * 1024, leaveOpen: true);
        var lineNumber = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } text)
        {
            lineNumber++;
            if (text.Length == 0)
                continue;
            Line? line;
            try
            {
                line = JsonSerializer.Deserialize<Line>(text, Json);
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"plan line {lineNumber}: {e.Message}", e);
            }
            if (line is null || line.Path is null || line.Type is null)
                throw new InvalidDataException($"plan line {lineNumber}: path and type are required");
            if (line.Volume != volume)
                continue;
            yield return new SiteEntry(line.Path, line.Type, line.Size, line.ModifiedAt, line.Mode)
            {
                LinkTarget = line.LinkTarget,
                Identity = line.Identity,
                Replaced = line.Replaced,
            };
        }
    }

    private sealed record Line(
        int Volume, string Path, string Type, long Size, DateTimeOffset ModifiedAt, int Mode, string? LinkTarget, string? Identity, bool Replaced);
}
