namespace BackupFunctions.Core.Restores;

/// <summary>
/// The order in which both the site walk and the file index list a component's entries: depth-first, a folder before
/// its content, siblings in ordinal order. That is ordinal order with '/' below every other character ("a/b" before
/// "a-c"), which plain ordinal order is not.
/// </summary>
internal static class ArchiveOrder
{
    public static int Compare(string a, string b)
    {
        var length = Math.Min(a.Length, b.Length);
        for (var i = 0; i < length; i++)
        {
            var x = a[i];
            var y = b[i];
            if (x == y)
                continue;
            if (x == '/')
                return -1;
            if (y == '/')
                return 1;
            return x < y ? -1 : 1;
        }
        return a.Length.CompareTo(b.Length);
    }
}
