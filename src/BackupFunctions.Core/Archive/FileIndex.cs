using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace BackupFunctions.Core.Archive;

/// <summary>Reads and writes the file index (JSON lines, one <see cref="FileIndexEntry"/> per line, camelCase, UTF-8).</summary>
public static class FileIndex
{
    private static readonly JsonTypeInfo<FileIndexEntry> Json = new FileIndexJson(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        // Paths are written as UTF-8, not \u escapes: the index is a data file, never embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    }).FileIndexEntry;

    private static readonly byte[] NewLine = "\n"u8.ToArray();

    /// <summary>Writes one line per entry to <paramref name="output"/> (not disposed).</summary>
    public static Task WriteAsync(IEnumerable<FileIndexEntry> entries, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        return WriteAsync(entries.ToAsyncEnumerable(), output, cancellationToken);
    }

    /// <summary>Writes one line per entry as the entries arrive (the index of a volume being written).</summary>
    public static async Task WriteAsync(IAsyncEnumerable<FileIndexEntry> entries, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(output);
        await foreach (var entry in entries.WithCancellation(cancellationToken))
        {
            await output.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(entry, Json), cancellationToken);
            await output.WriteAsync(NewLine, cancellationToken);
        }

        await output.FlushAsync(cancellationToken);
    }

    /// <summary>Writes one entry's line (not flushed): a restore's split of the index by volume.</summary>
    internal static async ValueTask WriteEntryAsync(FileIndexEntry entry, Stream output, CancellationToken cancellationToken)
    {
        await output.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(entry, Json), cancellationToken);
        await output.WriteAsync(NewLine, cancellationToken);
    }

    public static async Task<IReadOnlyList<FileIndexEntry>> ReadAsync(Stream input, CancellationToken cancellationToken)
    {
        var entries = new List<FileIndexEntry>();
        await foreach (var entry in ReadEntriesAsync(input, cancellationToken))
            entries.Add(entry);
        return entries;
    }

    /// <summary>Reads entries one line at a time; a malformed line throws <see cref="InvalidDataException"/> naming it.</summary>
    public static async IAsyncEnumerable<FileIndexEntry> ReadEntriesAsync(Stream input, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var reader = new StreamReader(input, new UTF8Encoding(false, throwOnInvalidBytes: true), false, 64 * 1024, leaveOpen: true);
        var lineNumber = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
                continue;
            FileIndexEntry? entry;
            try
            {
                entry = JsonSerializer.Deserialize(line, Json);
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"file index line {lineNumber}: {ex.Message}", ex);
            }

            if (entry is null || entry.Path is null || entry.Type is null || entry.Volume is null)
                throw new InvalidDataException($"file index line {lineNumber}: path, type and volume are required");
            yield return entry;
        }
    }
}
