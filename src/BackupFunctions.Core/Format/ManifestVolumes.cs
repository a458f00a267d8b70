using System.Globalization;

namespace BackupFunctions.Core.Format;

/// <summary>
/// The files volumes of a manifest, per the volume contract of docs/format.md: parts of kind <c>files</c> named
/// <c>files-00001.part</c>, <c>files-00002.part</c>, … (5 digits, from 1, no gaps), each a standalone tar stream; the
/// index lists their entries volume by volume in ascending number.
/// </summary>
public static class ManifestVolumes
{
    public const string FilesKind = "files";
    private const string Prefix = "files-";
    private const string Suffix = ".part";
    private const int Digits = 5;

    /// <summary>The name of volume <paramref name="number"/> (from 1).</summary>
    public static string Name(int number)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(number, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(number, 99999);
        return Prefix + number.ToString("D5", CultureInfo.InvariantCulture) + Suffix;
    }

    /// <summary>The volume number in <paramref name="name"/>, or 0 when it is not a volume's name.</summary>
    public static int Number(string? name)
    {
        if (name is null || name.Length != Prefix.Length + Digits + Suffix.Length
            || !name.StartsWith(Prefix, StringComparison.Ordinal) || !name.EndsWith(Suffix, StringComparison.Ordinal))
            return 0;
        var digits = name.AsSpan(Prefix.Length, Digits);
        foreach (var c in digits)
        {
            if (c is < '0' or > '9')
                return 0;
        }
        return int.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
    }

    /// <summary>The manifest's files volumes in ascending number (empty for a backup without files).</summary>
    public static IReadOnlyList<StoredPart> Of(BackupManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return [.. manifest.Objects.Where(o => o.Kind == FilesKind).OrderBy(o => Number(o.Name))];
    }

    /// <summary>
    /// Refuses, as damage (<see cref="IntegrityException"/> for <c>manifest.json</c> naming why), a manifest whose files
    /// volumes break the contract, and a version-1 manifest with what only version 2 may have (more than one volume, a
    /// part's own compression): a version-1 writer never made one, so it was altered or is a version-2 one relabelled.
    /// </summary>
    public static void Check(BackupManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        if (manifest.Objects is null)
            return;
        var volumes = manifest.Objects.Where(o => o.Kind == FilesKind).ToList();
        if (manifest.FormatVersion < BackupManifest.VolumesFormatVersion)
        {
            if (volumes.Count > 1)
                throw Damaged($"format version {manifest.FormatVersion} has at most one files volume, the manifest lists {volumes.Count} (only version {BackupManifest.VolumesFormatVersion} may have more)");
            if (manifest.Objects.FirstOrDefault(o => o.Compression is not null) is { } own)
                throw Damaged($"{own.Name} has its own compression '{own.Compression}', which only format version {BackupManifest.VolumesFormatVersion} may have");
        }

        var numbers = new SortedSet<int>();
        foreach (var volume in volumes)
        {
            var number = Number(volume.Name);
            if (number < 1)
                throw Damaged($"the files part '{volume.Name}' is not named files-NNNNN.part (5 digits, from 00001)");
            if (!numbers.Add(number))
                throw Damaged($"{volume.Name} is listed twice");
        }
        if (numbers.Count > 0 && numbers.Max != numbers.Count)
            throw Damaged($"the files volumes are not numbered 1 to {numbers.Count} without gaps (the last is {Name(numbers.Max)})");
        if (manifest.Objects.FirstOrDefault(o => o.Compression is { Length: 0 }) is { } empty)
            throw Damaged($"{empty.Name} has an empty compression");
    }

    private static IntegrityException Damaged(string reason) => new(ManifestFile.FileName, $"not a valid manifest: {reason}");
}
