using System.Text.Json.Serialization;

namespace BackupFunctions.Core.Configs;

/// <summary>
/// <c>storage</c> as a request may write it: one object (the primary; replicas in <c>replicas</c>) or the seed's array
/// of entries, one of them <c>primary: true</c>.
/// </summary>
[JsonConverter(typeof(StorageInputJsonConverter))]
public sealed record StorageInput(IReadOnlyList<StorageEntryInput> Entries, bool IsList)
{
    /// <summary>Which entry is the primary: the one marked, else the only one; -1 when that cannot be told.</summary>
    public int PrimaryIndex()
    {
        if (!IsList)
            return 0;
        var marked = Entries.Select((e, i) => (e, i)).Where(x => x.e.Primary == true).Select(x => x.i).ToList();
        return marked.Count switch
        {
            1 => marked[0],
            0 when Entries.Count == 1 => 0,
            _ => -1,
        };
    }

    /// <summary>The input path of replica <paramref name="replica"/> (0-based, in order) of a list.</summary>
    public int EntryOfReplica(int replica)
    {
        var primary = PrimaryIndex();
        return replica < primary || primary < 0 ? replica : replica + 1;
    }
}
