namespace BackupFunctions.Core.Sources;

/// <summary>
/// Picks, from a dump's verbose table of contents (<c>pg_restore --list --verbose</c>), the entries that make up the
/// given tables: definition, data, and what hangs on them alone (indexes, constraints, their own foreign keys,
/// defaults, triggers, policies, owned sequences, comments, grants). Views and foreign keys of other tables are not
/// taken: they belong to the objects a selective restore leaves alone.
/// </summary>
internal static class DumpTableSelection
{
    /// <summary>Entry types that belong to a table when they depend on it; longest first, so prefixes match right.</summary>
    private static readonly string[] DependentTypes =
    [
        "SEQUENCE OWNED BY", "CHECK CONSTRAINT", "FK CONSTRAINT", "SECURITY LABEL", "SEQUENCE SET", "INDEX ATTACH",
        "ROW SECURITY", "TABLE DATA", "CONSTRAINT", "STATISTICS", "SEQUENCE", "TRIGGER", "COMMENT", "DEFAULT",
        "POLICY", "INDEX", "RULE", "ACL",
    ];

    /// <summary>Session settings every restore needs (client encoding, string literals, search_path).</summary>
    private static readonly string[] SessionTypes = ["ENCODING", "STDSTRINGS", "SEARCHPATH"];

    /// <summary>
    /// The list file lines (in dump order, as pg_restore reading a pipe needs them) for <paramref name="tables"/>.
    /// </summary>
    /// <exception cref="PostgresToolException">A table is not in the dump.</exception>
    public static IReadOnlyList<string> Select(IReadOnlyList<string> tocLines, IReadOnlyList<(string Schema, string Name)> tables)
    {
        var entries = Parse(tocLines);
        var selected = new HashSet<int>();
        foreach (var (schema, name) in tables)
        {
            var table = entries.FirstOrDefault(e => e.Rest.StartsWith($"TABLE {schema} {name} ", StringComparison.Ordinal))
                ?? throw new PostgresToolException($"the backup's dump has no table {schema}.{name}");
            selected.Add(table.Id);
        }

        // Foreign keys are taken only for the selected tables themselves: their tag starts with the table's name.
        var ownForeignKeys = tables.Select(t => $"FK CONSTRAINT {t.Schema} {t.Name} ").ToArray();
        bool changed;
        do
        {
            changed = false;
            foreach (var entry in entries)
            {
                if (selected.Contains(entry.Id) || !entry.DependsOn.Any(selected.Contains))
                    continue;
                var type = DependentTypes.FirstOrDefault(t => entry.Rest.StartsWith(t + " ", StringComparison.Ordinal));
                if (type is null)
                    continue;
                if (type == "FK CONSTRAINT" && !ownForeignKeys.Any(p => entry.Rest.StartsWith(p, StringComparison.Ordinal)))
                    continue;
                selected.Add(entry.Id);
                changed = true;
            }
        }
        while (changed);

        return entries
            .Where(e => selected.Contains(e.Id) || SessionTypes.Any(t => e.Rest.StartsWith(t + " ", StringComparison.Ordinal)))
            .Select(e => e.Line)
            .ToList();
    }

    private sealed record Entry(int Id, string Line, string Rest, List<int> DependsOn);

    private static List<Entry> Parse(IReadOnlyList<string> lines)
    {
        var entries = new List<Entry>();
        foreach (var line in lines)
        {
            if (line.StartsWith(";\tdepends on:", StringComparison.Ordinal) && entries.Count > 0)
            {
                foreach (var id in line[";\tdepends on:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    entries[^1].DependsOn.Add(int.Parse(id, System.Globalization.CultureInfo.InvariantCulture));
                continue;
            }
            if (line.Length == 0 || line[0] == ';')
                continue;
            // "<id>; <catalog oid> <oid> <TYPE> <schema> <tag> <owner>"
            var semicolon = line.IndexOf(';', StringComparison.Ordinal);
            var fields = line[(semicolon + 1)..].TrimStart().Split(' ', 3);
            if (semicolon <= 0 || fields.Length < 3 || !int.TryParse(line.AsSpan(0, semicolon), System.Globalization.CultureInfo.InvariantCulture, out var entryId))
                throw new PostgresToolException($"pg_restore --list printed a line it should not: {line}");
            entries.Add(new Entry(entryId, line, fields[2], []));
        }
        return entries;
    }
}
