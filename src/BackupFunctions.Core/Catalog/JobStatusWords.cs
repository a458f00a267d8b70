namespace BackupFunctions.Core.Catalog;

/// <summary>The words of <see cref="JobStatus"/> as the API and the catalog spell them (pending, running, …).</summary>
public static class JobStatusWords
{
    public static IReadOnlyList<string> All { get; } = [.. Enum.GetValues<JobStatus>().Select(CatalogRows.StatusWord)];

    public static string Of(JobStatus status) => CatalogRows.StatusWord(status);

    /// <summary>The status a word names; false for anything else (case matters, as stored).</summary>
    public static bool TryParse(string? word, out JobStatus status)
    {
        status = default;
        if (word is null || !All.Contains(word))
            return false;
        status = CatalogRows.ParseStatus(word);
        return true;
    }
}
