using Microsoft.Extensions.FileSystemGlobbing;

namespace BackupFunctions.Core.Restores;

/// <summary>
/// The items of a selective restore, checked: site-relative globs (<c>*</c> within a name, <c>**</c> across folders,
/// case-sensitive, as backupctl's <c>--include</c>) and <c>table:schema.name</c> items. A path is selected when a glob
/// matches it or a folder above it, so <c>uploads/2024</c> selects that whole folder.
/// </summary>
/// <remarks>
/// Items come from the API, so each is refused unless it is plainly a relative glob: not empty, not absolute (<c>/</c>,
/// <c>\</c>, <c>~</c>, a drive letter or any <c>:</c>), no <c>.</c> or <c>..</c> segment, no backslash or control character, at most
/// <see cref="MaxItemLength"/> characters and <see cref="MaxItems"/> items. A table item names a schema and a table,
/// either as the manifest writes them (<c>"Mixed Schema".orders</c>) or unquoted (<c>Mixed Schema.orders</c>).
/// </remarks>
public sealed class RestoreSelection
{
    public const int MaxItems = 1000;
    public const int MaxItemLength = 1024;
    public const string TablePrefix = "table:";

    private readonly Matcher? _matcher;
    private readonly HashSet<string> _tables;

    private RestoreSelection(Matcher? matcher, HashSet<string> tables, bool everything)
    {
        _matcher = matcher;
        _tables = tables;
        Everything = everything;
    }

    /// <summary>No items: everything is restored.</summary>
    public bool Everything { get; }

    /// <summary>Whether any site path may be selected (false for a selection of tables only).</summary>
    public bool AnyFiles => Everything || _matcher is not null;

    /// <summary>The selection of <paramref name="items"/>; null or empty selects everything.</summary>
    /// <exception cref="ArgumentException">An item is hostile or malformed; the message names it.</exception>
    public static RestoreSelection Parse(IReadOnlyList<string>? items)
    {
        if (items is null || items.Count == 0)
            return new RestoreSelection(null, [], everything: true);
        if (items.Count > MaxItems)
            throw new ArgumentException($"At most {MaxItems} restore items, not {items.Count}.", nameof(items));

        var globs = new List<string>();
        var tables = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (string.IsNullOrWhiteSpace(item) || item.Length > MaxItemLength || item.Any(char.IsControl))
                throw Refused(item, $"an item is a non-empty glob or table of at most {MaxItemLength} characters, without control characters");
            if (item.StartsWith(TablePrefix, StringComparison.Ordinal))
            {
                var table = item[TablePrefix.Length..];
                if (SplitTable(table) is not { } parts || parts.Schema.Length == 0 || parts.Name.Length == 0)
                    throw Refused(item, "a table item is table:schema.name");
                tables.Add(parts.Schema + "." + parts.Name);
                continue;
            }
            if (item.StartsWith('/') || item.StartsWith('~') || item.Contains('\\', StringComparison.Ordinal) || item.Contains(':', StringComparison.Ordinal))
                throw Refused(item, "a glob is relative to the site root ('/'-separated, no drive, '~', ':' or leading '/'; e.g. uploads/2024/**)");
            var trimmed = item.TrimEnd('/');
            if (trimmed.Length == 0 || trimmed.Split('/').Any(s => s is "" or "." or ".."))
                throw Refused(item, "a glob has no empty, '.' or '..' segment");
            globs.Add(trimmed);
        }

        Matcher? matcher = null;
        if (globs.Count > 0)
        {
            matcher = new Matcher(StringComparison.Ordinal);
            matcher.AddIncludePatterns(globs);
        }
        return new RestoreSelection(matcher, tables, everything: false);
    }

    /// <summary>Whether the '/'-separated site path is selected.</summary>
    public bool Includes(string path)
    {
        if (Everything)
            return true;
        if (_matcher is null)
            return false;
        for (var current = path; ; current = current[..current.LastIndexOf('/')])
        {
            if (_matcher.Match(current).HasMatches)
                return true;
            if (!current.Contains('/', StringComparison.Ordinal))
                return false;
        }
    }

    /// <summary>Whether the table (named as the manifest names it, <c>format('%I.%I')</c>) is selected.</summary>
    public bool IncludesTable(string table)
    {
        if (Everything)
            return true;
        return SplitTable(table) is { } parts && _tables.Contains(parts.Schema + "." + parts.Name);
    }

    /// <summary>
    /// Schema and name of <c>schema.name</c>, each either a quoted identifier (<c>""</c> for a quote) or plain text up
    /// to the first '.'; null when it is not two such parts.
    /// </summary>
    internal static (string Schema, string Name)? SplitTable(string text)
    {
        var at = 0;
        if (ReadIdentifier(text, ref at) is not { } schema || at >= text.Length || text[at] != '.')
            return null;
        at++;
        if (ReadIdentifier(text, ref at, last: true) is not { } name || at != text.Length)
            return null;
        return (schema, name);
    }

    private static string? ReadIdentifier(string text, ref int at, bool last = false)
    {
        if (at < text.Length && text[at] == '"')
        {
            var value = new System.Text.StringBuilder();
            for (var i = at + 1; i < text.Length; i++)
            {
                if (text[i] != '"')
                {
                    value.Append(text[i]);
                    continue;
                }
                if (i + 1 < text.Length && text[i + 1] == '"')
                {
                    value.Append('"');
                    i++;
                    continue;
                }
                at = i + 1;
                return value.ToString();
            }
            return null;
        }
        var end = last ? text.Length : text.IndexOf('.', at);
        if (end < 0)
            return null;
        var plain = text[at..end];
        at = end;
        return plain;
    }

    private static ArgumentException Refused(string? item, string why)
        => new($"items: restore item '{new string([.. (item ?? "").Take(200).Select(c => char.IsControl(c) ? '?' : c)])}' refused: {why}.");
}
