using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace BackupCli;

/// <summary>Writing results: one camelCase JSON object for scripts (<c>--json</c>), aligned text for people.</summary>
internal static class CliOutput
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>Writes <paramref name="value"/> as the run's one JSON document on stdout.</summary>
    public static void WriteJson(CliContext context, object value)
    {
        context.Stdout.WriteLine(JsonSerializer.Serialize(value, Json));
        context.JsonWritten = true;
    }

    /// <summary>
    /// As <see cref="WriteJson"/>, written as it is serialized: properties that are <see cref="IAsyncEnumerable{T}"/>
    /// (a long listing) are never held whole.
    /// </summary>
    public static async Task WriteJsonAsync(CliContext context, object value, CancellationToken cancellationToken)
    {
        await using (var stdout = new TextWriterStream(context.Stdout))
            await JsonSerializer.SerializeAsync(stdout, value, value.GetType(), Json, cancellationToken);
        context.Stdout.WriteLine();
        context.JsonWritten = true;
    }

    /// <summary>
    /// A note about things a run came across (nothing when <paramref name="count"/> is 0): the heading, one indented line
    /// per listed thing, and "… and N more" for those the list left out (such lists are capped, their counts are not).
    /// </summary>
    public static void WriteNotes(TextWriter writer, string heading, IReadOnlyList<string> listed, long count, string indent = "  ")
    {
        if (count == 0)
            return;
        writer.WriteLine(heading);
        foreach (var line in listed)
            writer.WriteLine(indent + line);
        if (count > listed.Count)
            writer.WriteLine($"{indent}… and {count - listed.Count} more");
    }

    /// <summary>Rows as left-aligned columns separated by two spaces; the first row is the header.</summary>
    public static void WriteTable(TextWriter writer, IReadOnlyList<string[]> rows)
    {
        if (rows.Count == 0)
            return;
        var widths = new int[rows[0].Length];
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Length; i++)
                widths[i] = Math.Max(widths[i], row[i].Length);
        }

        var line = new StringBuilder();
        foreach (var row in rows)
        {
            line.Clear();
            for (var i = 0; i < row.Length; i++)
            {
                line.Append(i == row.Length - 1 ? row[i] : row[i].PadRight(widths[i] + 2));
            }
            writer.WriteLine(line.ToString().TrimEnd());
        }
    }

    /// <summary>Bytes for people: 1023 B, 1.5 KiB, 12.3 MiB, …</summary>
    public static string Bytes(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return unit == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes} B")
            : string.Create(CultureInfo.InvariantCulture, $"{value:0.#} {units[unit]}");
    }

    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
