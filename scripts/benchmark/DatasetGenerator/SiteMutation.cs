namespace BackupFunctions.Benchmark;

/// <summary>
/// The incremental round's change to a generated site (scripts/benchmark/run.sh): of its files (ordinal order, so
/// the same seed picks the same ones) 1% changed, 0.1% added and 0.1% deleted (each at least one), as a night of a
/// CMS might. A changed file keeps its size and gets new bytes over its first 4 KiB (what a metadata comparison must
/// still notice: same size, new time); an added file is new random content the size of a neighbour, next to it.
/// </summary>
internal static class SiteMutation
{
    private const int ChangedBytes = 4096;

    public static (int Changed, int Added, int Deleted) Apply(string root, FastRandom random, double changedShare, double addedShare, double deletedShare)
    {
        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(root, p)).Order(StringComparer.Ordinal).ToArray();
        int Count(double share) => Math.Max(1, (int)Math.Round(files.Length * share));
        var changed = Count(changedShare);
        var deleted = Count(deletedShare);
        var added = Count(addedShare);
        if (changed + deleted > files.Length)
            throw new InvalidOperationException($"{root} has {files.Length} files, too few to change {changed} and delete {deleted}");

        // A partial Fisher-Yates shuffle: the first changed + deleted places are distinct files.
        for (var i = 0; i < changed + deleted; i++)
        {
            var j = i + random.Next(files.Length - i);
            (files[i], files[j]) = (files[j], files[i]);
        }

        var buffer = new byte[1 << 20];
        foreach (var path in files.Take(changed))
        {
            using var file = new FileStream(Path.Combine(root, path), FileMode.Open, FileAccess.Write);
            var head = buffer.AsSpan(0, (int)Math.Min(ChangedBytes, file.Length));
            random.NextBytes(head);
            file.Write(head);
        }
        foreach (var path in files.Skip(changed).Take(deleted))
            File.Delete(Path.Combine(root, path));
        var kept = files[(changed + deleted)..];
        for (var i = 0; i < added; i++)
        {
            var neighbour = kept.Length > 0 ? kept[random.Next(kept.Length)] : files[0];
            var path = Path.Combine(root, Path.GetDirectoryName(neighbour) ?? "", $"added-{i}-{Path.GetFileName(neighbour)}");
            var size = kept.Length > 0 ? new FileInfo(Path.Combine(root, neighbour)).Length : ChangedBytes;
            using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
            for (var written = 0L; written < size;)
            {
                var chunk = buffer.AsSpan(0, (int)Math.Min(buffer.Length, size - written));
                random.NextBytes(chunk);
                file.Write(chunk);
                written += chunk.Length;
            }
        }
        return (changed, added, deleted);
    }
}
